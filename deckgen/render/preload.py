"""What chart workers are forked from: Matplotlib and the chart code imported, and warmed up.

Imported by the chart forkserver while the export is being read, and by `--by` before its workers fork.
Drawing one small chart loads the fonts (regular and bold, Latin and CJK) and Matplotlib's text machinery
once, so the workers forked afterwards start with them: ~30 ms less for each worker's first chart.
"""

from __future__ import annotations

import os

from deckgen.render.fonts import quiet_matplotlib

# In the chart forkserver (not deckgen's own process, which imports this for --by): a process group of its
# own from the start, so a SIGTERM sent to deckgen's whole group (a service manager, `timeout`) reaches the
# main process alone, even before a worker has moved to its own group; the main process stops the workers.
if os.environ.get("DECKGEN_MAIN_PID", str(os.getpid())) != str(os.getpid()):
    os.setpgid(0, 0)

quiet_matplotlib()  # before Matplotlib is imported (by the charts)

from deckgen.render.chartkit import take_missing_glyphs  # noqa: E402
from deckgen.render.charts import warm_up  # noqa: E402

warm_up()
take_missing_glyphs()  # the warm-up's own text is no user's: only the charts' missing characters are noted
