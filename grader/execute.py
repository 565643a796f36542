"""nbgrader's Execute, with a receipt check on every test cell and a record of how
the execution ended (read by grader.worker to set the grading's status)."""

from __future__ import annotations

import hmac

from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Unicode

from grader import guard

RECEIPT = "grader_receipt"
INTEGRITY_ERROR = "GradingIntegrityError"

# How the last execution in this process ended; grader.worker reads it.
OUTCOME: dict = {"timed_out": [], "tampered": [], "kernel_died": ""}


def reset_outcome() -> None:
    OUTCOME.update(timed_out=[], tampered=[], kernel_died="")


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

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        graded = cell.cell_type == "code" and is_grade(cell)
        self._test_cell = cell_index if graded else None
        try:
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
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
        expected = "ok:" + guard.sign(bytes.fromhex(self.receipt_key), self._test_cell)
        if hmac.compare_digest(value, expected):
            return
        what = value.partition(":")[2] if value.startswith("tampered:") else "no receipt"
        OUTCOME["tampered"].append(f"{grade_id}: {what}")
        cell.outputs.append(NotebookNode(
            output_type="error", ename=INTEGRITY_ERROR,
            evalue=f"this test cell's result cannot be trusted ({what}): the notebook "
                   "changed how code runs or how errors are reported",
            traceback=[f"{INTEGRITY_ERROR}: the execution machinery was modified ({what})"]))
