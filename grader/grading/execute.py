"""nbgrader's Execute, made safe for untrusted notebooks.

- Observations (course.checks.reporting) are taken out of each cell's outputs and
  kept, decoded defensively, in ``resources["grader_observations"]`` (cell index ->
  grader.grading.observations.CellObservations) for grader.grading.judge: they never reach the
  notebook.
- Every test cell needs a receipt from the kernel's guard (grader.kernel.guard). A cell
  without one scores 0 and the grading is flagged: the kernel can lose points this
  way, never earn them.
- Output is capped in bytes per cell (streams, errors and rich data separately), on
  arrival, so a 30 MB line never reaches the autograded notebook.
- A cell past its timeout is interrupted; one that ignores the interrupt for
  ``interrupt_grace`` seconds gets its kernel killed, the later cells are not run
  (they score 0) and the grading ends as timed_out. A kernel that dies in the
  meantime ends the grading as kernel_died, as it would have a moment earlier.

How the execution ended goes into the grading's :class:`~grader.grading.outcome.Outcome`.
"""

from __future__ import annotations

import asyncio
import hmac

from nbclient.exceptions import DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Instance, Integer, Unicode

from grader.grading.observations import MIME, CellObservations
from grader.grading.outcome import Outcome
from grader.grading.restore import MOVED
from grader.kernel import guard

RECEIPT = "grader_receipt"
INTEGRITY_ERROR = "GradingIntegrityError"
MOVED_ERROR = "TestCellMoved"
NOT_RUN_ERROR = "NotRun"
OBSERVATIONS = "grader_observations"      # key in nbconvert's resources

def error_output(name: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {message}"])


def _receipt_value(reply: dict) -> str:
    """The string guard.receipt returned, or "" when the kernel sent none."""
    expr = reply["content"].get("user_expressions", {}).get(RECEIPT, {})
    text = expr.get("data", {}).get("text/plain", "") if expr.get("status") == "ok" else ""
    return text.strip("'\"")


def _grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "?")


class _OutputBudget:
    """Bytes of output one cell may still keep, per kind of output."""

    LIMITS = {"stream": 200_000, "error": 50_000, "data": 8_000_000}

    def __init__(self):
        self.left = dict(self.LIMITS)
        self.truncated = False

    def kind(self, out) -> str:
        return out.output_type if out.output_type in ("stream", "error") else "data"

    def fit(self, out) -> bool:
        """Trim ``out`` to what is left; False when nothing of it can be kept."""
        kind = self.kind(out)
        if kind == "stream":
            keep = self.left["stream"]
            if len(out.text) > keep:
                out.text, self.truncated = out.text[:keep], True
            self.left["stream"] -= len(out.text)
            return bool(out.text) or not self.truncated
        size = len(str(out.get("data", ""))) + len(str(out.get("evalue", ""))) + \
            sum(len(line) for line in out.get("traceback", []))
        if size > self.left[kind]:
            self.truncated = True
            if kind != "error":
                return False
            out.evalue, out.traceback = out.evalue[:2000], [line[:2000] for line in
                                                           out.traceback[:20]]
            size = self.left[kind]
        self.left[kind] -= size
        return True


GRACE_POLL_SECONDS = 0.5      # how often a kernel given the interrupt is checked for life


class GuardedExecute(Execute):
    """Execute with observations taken out, receipts checked and outputs capped."""

    receipt_key = Unicode("", help="hex key shared with the kernel's guard").tag(config=True)
    interrupt_grace = Integer(10, help="seconds a timed-out cell gets to obey the "
                              "interrupt before its kernel is killed").tag(config=True)
    outcome = Instance(Outcome, args=(), help="where this execution's ending is written "
                       "(the worker's; see grader.grading.outcome)").tag(config=True)
    _test_cell: int | None = None      # index of the test cell being executed

    def preprocess(self, nb, resources=None, km=None):
        resources = resources if resources is not None else {}
        resources[OBSERVATIONS] = self._observations = {}
        self._budgets: dict[int, _OutputBudget] = {}
        self._idle = asyncio.Event()
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError as err:
            self.outcome.kernel_died = str(err) or "the kernel died"
            raise
        except RuntimeError as err:        # jupyter_client: "Kernel died before replying"
            if "died" in str(err):
                self.outcome.kernel_died = str(err)
            raise

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        send = kc.execute

        def execute(code, *args, **kwargs):
            if self._test_cell is not None:
                kwargs["user_expressions"] = {
                    RECEIPT: f"__import__('grader.kernel.guard').kernel.guard.receipt({self._test_cell})"}
            return send(code, *args, **kwargs)

        kc.execute = execute
        return kc

    # nbclient binds its sync entry point to its own coroutine: rebind it to ours.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess_cell(self, cell, resources, index):
        graded = cell.cell_type == "code" and is_grade(cell)
        moved = cell.metadata.get("grader", {}).get(MOVED)
        if graded and moved:
            self.outcome.moved.append(_grade_id(cell))
            cell.outputs = [error_output(MOVED_ERROR, f"this test cell was moved above the "
                                         f"answer cell {moved!r}; it is not run and earns no "
                                         "points")]
            return cell, resources
        if self.outcome.stopped:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [error_output(NOT_RUN_ERROR, f"not run: {self.outcome.stopped}")]
            return cell, resources
        self._test_cell = index if graded else None
        self._idle.clear()
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            self._test_cell = None

    # --- outputs: observations out, the rest capped ----------------------------------

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        data = content.get("data") if isinstance(content, dict) else None
        if isinstance(data, dict) and MIME in data:
            if msg.get("msg_type") == "display_data":
                self._observations.setdefault(cell_index, CellObservations()).add(data[MIME])
            return None                    # an observation never becomes an output
        budget = self._budgets.setdefault(cell_index, _OutputBudget())
        before = len(outs)
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None and len(outs) > before and not budget.fit(out):
            outs.remove(out)
            out = None
        return out

    def process_message(self, msg, cell, cell_index):
        content = msg.get("content", {})
        if msg.get("msg_type") == "status" and content.get("execution_state") == "idle":
            self._idle.set()
        return super().process_message(msg, cell, cell_index)

    # --- timeouts ----------------------------------------------------------------------

    async def _async_handle_timeout(self, timeout, cell=None):
        reply = await super()._async_handle_timeout(timeout, cell)      # interrupts
        if not await self._obeyed_interrupt():
            await self._stop_kernel(cell)
        return reply

    async def _obeyed_interrupt(self) -> bool:
        """Whether the kernel went idle within ``interrupt_grace`` seconds. One that died
        meanwhile (a memory hog met the OOM killer) raises DeadKernelError, as nbclient
        does for a kernel that dies while a cell runs."""
        deadline = asyncio.get_running_loop().time() + self.interrupt_grace
        while not self._idle.is_set():
            if not await ensure_async(self.km.is_alive()):
                raise DeadKernelError("Kernel died")
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self._idle.wait(), min(left, GRACE_POLL_SECONDS))
            except asyncio.TimeoutError:
                pass
        return True

    async def _stop_kernel(self, cell) -> None:
        """Kill a kernel that ignored the interrupt; the rest of the notebook is not run."""
        name = _grade_id(cell) if cell is not None else "a cell"
        self.outcome.stopped = (f"cell {name} ran past its time limit and ignored the "
                                f"interrupt for {self.interrupt_grace} s, so its kernel was "
                                "stopped")
        self.raise_on_iopub_timeout = False        # the dead kernel sends nothing more
        await ensure_async(self.km._async_kill_kernel())

    # --- after each cell -----------------------------------------------------------

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        cell, reply, index = kwargs["cell"], kwargs["execute_reply"], kwargs["cell_index"]
        content = reply["content"]
        budget = self._budgets.get(index)
        if budget is not None and budget.truncated:
            cell.outputs.append(NotebookNode(output_type="stream", name="stdout",
                                             text="\n... output truncated by the grader ...\n"))
        if content.get("ename") == self.error_on_timeout.get("ename"):
            self.outcome.timed_out.append(_grade_id(cell))
        if self._test_cell is not None and self.receipt_key and content.get("status") == "ok":
            self._check_receipt(cell, _receipt_value(reply), _grade_id(cell))

    def _check_receipt(self, cell, value: str, grade_id: str) -> None:
        expected = guard.OK + guard.sign(self.receipt_key.encode(), self._test_cell)
        if hmac.compare_digest(value, expected):
            return
        what = (value.removeprefix(guard.TAMPERED) if value.startswith(guard.TAMPERED)
                else "forged receipt" if value.startswith(guard.OK) else "no receipt")
        self.outcome.tampered.append(f"{grade_id}: {what}")
        cell.outputs.append(error_output(
            INTEGRITY_ERROR, f"this test cell's result cannot be trusted ({what}): the "
            "notebook changed how code runs or how errors are reported"))
