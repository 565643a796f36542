"""nbgrader's Execute, with a receipt check on every test cell and a record of how
the execution ended (read by grader.worker to set the grading's status)."""

from __future__ import annotations

import hmac

from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Unicode

from grader import guard
from grader.restore import MOVED

RECEIPT = "grader_receipt"
INTEGRITY_ERROR = "GradingIntegrityError"
MOVED_ERROR = "TestCellMoved"

# How the last execution in this process ended; grader.worker reads it.
OUTCOME: dict = {"timed_out": [], "tampered": [], "moved": [], "kernel_died": ""}


def reset_outcome() -> None:
    OUTCOME.update(timed_out=[], tampered=[], moved=[], kernel_died="")


def _error(name: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {message}"])


def _receipt_value(reply: dict) -> str:
    """The string guard.receipt returned, or "" when the kernel sent none."""
    expr = reply["content"].get("user_expressions", {}).get(RECEIPT, {})
    text = expr.get("data", {}).get("text/plain", "") if expr.get("status") == "ok" else ""
    return text.strip("'\"")


class GuardedExecute(Execute):
    """Execute that credits a test cell only with a valid receipt from grader.guard."""

    receipt_key = Unicode("", help="hex key shared with the kernel's guard").tag(config=True)
    _test_cell: int | None = None      # index of the test cell being executed

    def preprocess(self, nb, resources=None, km=None):
        reset_outcome()
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError as err:
            OUTCOME["kernel_died"] = str(err) or "the kernel died"
            raise
        except RuntimeError as err:        # jupyter_client: "Kernel died before replying"
            if "died" in str(err):
                OUTCOME["kernel_died"] = str(err)
            raise

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        send = kc.execute

        def execute(code, *args, **kwargs):
            if self._test_cell is not None:
                kwargs["user_expressions"] = {
                    RECEIPT: f"__import__('grader.guard').guard.receipt({self._test_cell})"}
            return send(code, *args, **kwargs)

        kc.execute = execute
        return kc

    # nbclient binds its sync entry point to its own coroutine: rebind it to ours.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess_cell(self, cell, resources, index):
        graded = cell.cell_type == "code" and is_grade(cell)
        moved = cell.metadata.get("grader", {}).get(MOVED)
        if graded and moved:
            OUTCOME["moved"].append(cell.metadata["nbgrader"]["grade_id"])
            cell.outputs = [_error(MOVED_ERROR, f"this test cell was moved above the answer "
                                   f"cell {moved!r}; it is not run and earns no points")]
            return cell, resources
        self._test_cell = index if graded else None
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            self._test_cell = None

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        cell, reply = kwargs["cell"], kwargs["execute_reply"]
        content = reply["content"]
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        if content.get("ename") == self.error_on_timeout.get("ename"):
            OUTCOME["timed_out"].append(grade_id)
        if self._test_cell is not None and self.receipt_key and content.get("status") == "ok":
            self._check_receipt(cell, _receipt_value(reply), grade_id)

    def _check_receipt(self, cell, value: str, grade_id: str) -> None:
        expected = "ok:" + guard.sign(self.receipt_key.encode(), self._test_cell)
        if hmac.compare_digest(value, expected):
            return
        what = {"tampered": value.partition(":")[2], "ok": "forged receipt"}.get(
            value.partition(":")[0], "no receipt")
        OUTCOME["tampered"].append(f"{grade_id}: {what}")
        cell.outputs.append(_error(
            INTEGRITY_ERROR, f"this test cell's result cannot be trusted ({what}): the "
            "notebook changed how code runs or how errors are reported"))
