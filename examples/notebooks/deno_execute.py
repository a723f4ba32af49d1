"""An nbconvert ExecutePreprocessor that keeps the outputs Deno's Jupyter kernel publishes late.

Deno's kernel sends a cell's ``execute_result`` (the value of its last expression) from another
task than its ``status: idle`` message, so under load the result can arrive after ``idle``.
JupyterLab shows it anyway; nbconvert/nbclient stop listening to a cell at ``idle`` and drop it,
and the executed notebook loses that cell's output. This preprocessor keeps listening to the cell
for a short grace period after ``idle`` until its ``execute_result`` has come.

    PYTHONPATH=examples/notebooks jupyter nbconvert --to notebook \\
      --Exporter.preprocessors='["deno_execute.DenoExecutePreprocessor"]' \\
      --ExecutePreprocessor.kernel_name=deno --output-dir OUT examples/notebooks/quickstart.ipynb

(used instead of ``--execute``; every ``--ExecutePreprocessor.*`` option applies). A cell that
raises fails the conversion, as with ``--execute``.
"""

import asyncio
from queue import Empty

from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float


class DenoExecutePreprocessor(ExecutePreprocessor):
    late_output_grace = Float(
        0.5, help="Seconds to wait after a cell's idle status for its late execute_result."
    ).tag(config=True)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        if any(o.get("output_type") == "execute_result" for o in cell.outputs):
            return
        # A cell whose last expression is undefined (a declaration, a loop) publishes no result:
        # for those the whole grace period passes.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.late_output_grace
        while (left := deadline - loop.time()) > 0:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=left))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass
            if msg["msg_type"] == "execute_result":
                return
