"""grader.grading.execute: receipts checked, observations taken out, outputs capped,
moved and stopped cells not run. A fake kernel stands in for nbclient's execution
(no kernel starts): each code cell sends the messages and the reply set here."""

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.preprocessors import Execute

from course import values
from grader.grading.execute import (INTEGRITY_ERROR, MOVED_ERROR, NOT_RUN_ERROR, OBSERVATIONS,
                                    RECEIPT, GuardedExecute, _OutputBudget, _receipt_value,
                                    error_output)
from grader.grading.observations import MIME
from grader.grading.restore import MOVED
from grader.kernel import guard

KEY = "5eed" * 16
TRUNCATED = "\n... output truncated by the grader ...\n"


# --- plain helpers ---------------------------------------------------------------------

def test_error_output_is_a_valid_notebook_error():
    out = error_output("NotRun", "not run: why")
    assert out == {"output_type": "error", "ename": "NotRun", "evalue": "not run: why",
                   "traceback": ["NotRun: not run: why"]}
    nbformat.validate(new_notebook(cells=[new_code_cell("x", outputs=[out])]))


def _reply(expression=None, **content):
    expressions = {RECEIPT: expression} if expression is not None else {}
    return {"content": {"status": "ok", "user_expressions": expressions, **content}}


@pytest.mark.parametrize("expression, value", [
    ({"status": "ok", "data": {"text/plain": "'ok:abc'"}}, "ok:abc"),
    ({"status": "ok", "data": {"text/plain": '"tampered:trace"'}}, "tampered:trace"),
    ({"status": "error", "ename": "NameError"}, ""),
    ({"status": "ok", "data": {}}, ""),
    (None, ""),
])
def test_receipt_value_reads_the_string_the_guard_returned(expression, value):
    assert _receipt_value(_reply(expression)) == value


def _stream(text):
    return NotebookNode(output_type="stream", name="stdout", text=text)


def _data(size):
    return NotebookNode(output_type="display_data", data={"text/plain": "x" * size}, metadata={})


def _error(evalue, lines):
    return NotebookNode(output_type="error", ename="E", evalue=evalue, traceback=lines)


def test_a_long_stream_is_cut_at_its_budget_and_later_ones_dropped():
    budget = _OutputBudget()
    first = _stream("x" * (budget.LIMITS["stream"] + 5))
    assert budget.fit(first) and len(first.text) == budget.LIMITS["stream"]
    assert budget.truncated
    assert not budget.fit(_stream("more"))


def test_a_stream_exactly_at_the_budget_is_kept_whole():
    budget = _OutputBudget()
    assert budget.fit(_stream("x" * budget.LIMITS["stream"]))
    assert not budget.truncated
    assert budget.fit(_stream(""))


def test_rich_data_over_its_budget_is_dropped_and_smaller_data_still_fits():
    budget = _OutputBudget()
    assert not budget.fit(_data(budget.LIMITS["data"] + 1))
    assert budget.truncated and budget.fit(_data(10))


def test_a_huge_error_is_kept_but_trimmed():
    budget = _OutputBudget()
    error = _error("v" * 60_000, ["line" * 1000] * 50)
    assert budget.fit(error)
    assert len(error.evalue) == 2000 and len(error.traceback) == 20
    assert all(len(line) == 2000 for line in error.traceback)
    later = _error("again", ["x" * 10])
    assert budget.fit(later) and later.evalue == "again"       # errors are always shown


def test_each_kind_of_output_has_a_budget_of_its_own():
    budget = _OutputBudget()
    budget.fit(_stream("x" * (budget.LIMITS["stream"] + 1)))
    assert budget.fit(_data(1000)) and budget.fit(_error("e", ["tb"]))


# --- GuardedExecute with a fake kernel -------------------------------------------------

def _meta(gid, **flags):
    return {"nbgrader": {"grade_id": gid, "schema_version": 3, "solution": False,
                         "grade": False, "locked": False, **flags}}


def notebook():
    return new_notebook(cells=[
        new_markdown_cell("# A1"),
        new_code_cell("def double(x):\n    return 2 * x", metadata=_meta("double", solution=True)),
        new_code_cell("assert double(2) == 4", metadata=_meta("test_double", grade=True,
                                                              points=1)),
        new_code_cell("print('scratch')"),
        new_code_cell("assert double(3) == 6", metadata=_meta("test_more", grade=True,
                                                              points=1)),
    ])


def _msg(msg_type, **content):
    return {"msg_type": msg_type, "header": {"msg_type": msg_type}, "parent_header": {},
            "metadata": {}, "content": content}


def stream_msg(text):
    return _msg("stream", name="stdout", text=text)


def observation_msg(msg_type="display_data"):
    payload = {"name": "double(2)", "value": values.encode(("str", "4")),
               "spec": {"compare": "close", "rtol": 1e-5, "atol": 1e-8}, "exercise": None,
               "line": 1}
    extra = {"execution_count": 1} if msg_type == "execute_result" else {}
    return _msg(msg_type, data={MIME: payload}, metadata={}, **extra)


class FakeKernel:
    """What each code cell sends back (by index), and what the executor sent it."""

    def __init__(self):
        self.messages: dict[int, list] = {}
        self.replies: dict[int, dict] = {}
        self.receipts: dict[int, str | None] = {}   # default: the guard's true receipt
        self.sent: list[tuple[str, dict]] = []        # (code, user_expressions)
        self.during: dict = {}                          # index -> f(executor), while it runs
        self.client = None

    def receipt(self, index):
        return self.receipts.get(index, "ok:" + guard.sign(KEY.encode(), index))

    def start_client(self):
        kernel = self

        class Client:
            def execute(self, code, user_expressions=None, **kwargs):
                kernel.sent.append((code, user_expressions or {}))
        return Client()

    def run(self, executor, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        before = len(self.sent)
        self.client.execute(cell.source)
        asked = bool(self.sent[before:] and self.sent[-1][1])
        cell.outputs, executor.clear_before_next_output = [], False     # as nbclient does
        for msg in self.messages.get(index, []):
            executor.output(cell.outputs, msg, None, index)
        self.during.get(index, lambda ex: None)(executor)
        executor.on_cell_executed(cell=cell, cell_index=index,
                                  execute_reply={"content": self.reply(index, asked)})
        return cell, resources

    def reply(self, index, asked):
        content = {"status": "ok", **self.replies.get(index, {})}
        receipt = self.receipt(index)
        if asked and receipt is not None:
            content["user_expressions"] = {RECEIPT: {"status": "ok",
                                                     "data": {"text/plain": repr(receipt)}}}
        return content


@pytest.fixture
def kernel(monkeypatch):
    fake = FakeKernel()

    async def start_client(self):
        return fake.start_client()

    def preprocess(self, nb, resources=None, km=None):      # nbconvert's, minus the kernel
        self.reset_execution_trackers()
        fake.client = self.start_new_kernel_client()
        for index, cell in enumerate(nb.cells):
            self.preprocess_cell(cell, resources, index)
        return nb, resources

    monkeypatch.setattr(Execute, "async_start_new_kernel_client", start_client)
    monkeypatch.setattr(Execute, "preprocess", preprocess)
    monkeypatch.setattr(Execute, "preprocess_cell",
                        lambda self, cell, resources, index: fake.run(self, cell, resources, index))
    return fake


def execute(nb):
    executor = GuardedExecute(receipt_key=KEY)
    nb, resources = executor.preprocess(nb, {})
    return executor.outcome, nb, resources


def _enames(cell):
    return [o.ename for o in cell.outputs if o.output_type == "error"]


def test_true_receipts_leave_the_grading_clean(kernel):
    outcome, nb, _ = execute(notebook())
    assert outcome.status(True) == ("graded", [])
    assert all(not c.get("outputs") for c in nb.cells)


def test_only_test_cells_ask_the_kernel_for_a_receipt_of_their_index(kernel):
    execute(notebook())
    asked = [expressions.get(RECEIPT, "") for _, expressions in kernel.sent]
    assert [bool(a) for a in asked] == [False, True, False, True]
    assert asked[1].endswith("guard.receipt(2)") and asked[3].endswith("guard.receipt(4)")


@pytest.mark.parametrize("receipt, why", [
    ("tampered:shell_overrides", "shell_overrides"),
    (None, "no receipt"),
    ("ok:" + "0" * 64, "forged receipt"),
    ("ok:" + guard.sign(KEY.encode(), 2), "forged receipt"),     # cell 2's, replayed
    ("garbage", "no receipt"),
])
def test_a_test_cell_without_its_true_receipt_is_flagged(kernel, receipt, why):
    kernel.receipts[4] = receipt
    outcome, nb, _ = execute(notebook())
    assert outcome.tampered == [f"test_more: {why}"]
    assert _enames(nb.cells[4]) == [INTEGRITY_ERROR]
    assert outcome.status(True)[0] == "tampered"


def test_no_receipt_anywhere_points_at_the_likely_cause(kernel):
    kernel.receipts.update({2: None, 4: None})
    outcome, _, _ = execute(notebook())
    assert "guard did not run" in outcome.likely_cause()


def test_a_failed_test_cell_needs_no_receipt(kernel):
    kernel.receipts[2] = None
    kernel.replies[2] = {"status": "error", "ename": "AssertionError", "evalue": "",
                         "traceback": []}
    outcome, _, _ = execute(notebook())
    assert outcome.tampered == []


def test_observations_are_taken_out_of_the_outputs(kernel):
    kernel.messages[2] = [stream_msg("checking\n"), observation_msg(),
                          observation_msg("execute_result")]
    _, nb, resources = execute(notebook())
    assert [o.output_type for o in nb.cells[2].outputs] == ["stream"]
    observed = resources[OBSERVATIONS]
    assert list(observed) == [2]                       # display messages only count
    assert [o.name for o in observed[2].observations] == ["double(2)"]


def test_a_flood_of_output_is_capped_with_a_note(kernel):
    kernel.messages[3] = [stream_msg("y" * 150_000), stream_msg("z" * 150_000),
                          stream_msg("dropped")]
    _, nb, _ = execute(notebook())
    texts = [o.text for o in nb.cells[3].outputs]
    assert sum(map(len, texts[:-1])) == _OutputBudget.LIMITS["stream"]
    assert texts[-1] == TRUNCATED and "dropped" not in "".join(texts)


def test_a_cell_that_timed_out_is_recorded(kernel):
    kernel.replies[2] = {"status": "error", "ename": "CellTimeoutError", "evalue": "",
                         "traceback": ["timeout"]}
    outcome, _, _ = execute(notebook())
    assert outcome.timed_out == ["test_double"]
    assert outcome.status(True)[0] == "timed_out"


def test_a_test_cell_moved_above_its_answer_is_not_run(kernel):
    nb = notebook()
    nb.cells[2].metadata["grader"] = {MOVED: "double"}
    outcome, nb, _ = execute(nb)
    assert outcome.moved == ["test_double"]
    assert _enames(nb.cells[2]) == [MOVED_ERROR]
    assert "assert double(2) == 4" not in [code for code, _ in kernel.sent]


def test_after_a_stop_the_rest_of_the_notebook_is_not_run(kernel):
    def stop(executor):
        executor.outcome.stopped = "cell double ignored the interrupt"
    kernel.during[1] = stop
    nb = notebook()
    nb.cells.append(new_code_cell("   "))
    outcome, nb, _ = execute(nb)
    assert [code for code, _ in kernel.sent] == [nb.cells[1].source]
    assert [_enames(c) for c in nb.cells[2:5]] == [[NOT_RUN_ERROR]] * 3
    assert nb.cells[5].outputs == []                     # an empty cell gets no error
    assert outcome.status(True)[0] == "timed_out"


@pytest.mark.parametrize("error, died", [
    (DeadKernelError("Kernel died"), "Kernel died"),
    (RuntimeError("Kernel died before replying to kernel_info"),
     "Kernel died before replying to kernel_info"),
    (RuntimeError("something else"), ""),
])
def test_a_dead_kernel_is_recorded_and_raised(monkeypatch, error, died):
    def preprocess(self, nb, resources=None, km=None):
        raise error
    monkeypatch.setattr(Execute, "preprocess", preprocess)
    executor = GuardedExecute(receipt_key=KEY)
    with pytest.raises(type(error)):
        executor.preprocess(notebook(), {})
    assert executor.outcome.kernel_died == died


# --- a timed-out cell: the interrupt, then the grace -------------------------------------

class FakeManager:
    """The kernel manager, alive for the first ``alive_checks`` checks."""

    def __init__(self, alive_checks: int):
        self.checks, self.alive_checks, self.killed = 0, alive_checks, False

    async def is_alive(self):
        self.checks += 1
        return self.checks <= self.alive_checks

    async def _async_kill_kernel(self):
        self.killed = True


def timed_out(monkeypatch, km, idle_after: float | None = None):
    """Handle a timeout of cell 2 (nbclient's interrupt stubbed); the executor after."""
    import asyncio

    from nbclient import NotebookClient

    async def interrupt(self, timeout, cell=None):
        return None
    monkeypatch.setattr(NotebookClient, "_async_handle_timeout", interrupt)
    monkeypatch.setattr("grader.grading.execute.GRACE_POLL_SECONDS", 0.05)
    executor = GuardedExecute(receipt_key=KEY, interrupt_grace=1)
    executor.km = km

    async def handle():
        executor._idle = asyncio.Event()
        if idle_after is not None:
            asyncio.get_running_loop().call_later(idle_after, executor._idle.set)
        await executor._async_handle_timeout(10, notebook().cells[2])
    asyncio.run(handle())
    return executor


def test_a_kernel_that_obeys_the_interrupt_keeps_running(monkeypatch):
    km = FakeManager(alive_checks=10**6)
    executor = timed_out(monkeypatch, km, idle_after=0.1)
    assert executor.outcome.stopped == "" and not km.killed


def test_a_kernel_that_ignores_the_interrupt_is_stopped(monkeypatch):
    km = FakeManager(alive_checks=10**6)
    executor = timed_out(monkeypatch, km)
    assert km.killed and "test_double ran past its time limit and ignored the interrupt" \
        in executor.outcome.stopped


def test_a_kernel_that_dies_after_the_interrupt_is_a_dead_kernel(monkeypatch):
    km = FakeManager(alive_checks=2)         # the memory hog meets the OOM killer
    with pytest.raises(DeadKernelError, match="Kernel died"):
        timed_out(monkeypatch, km)
    assert not km.killed
