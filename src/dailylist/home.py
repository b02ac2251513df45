"""Where dailylist keeps its data: `$DAILYLIST_HOME`, else the platform's user data dir.

Standard library only (platformdirs is loaded when the variable is not set): `dailylist
prompt` starts here.
"""

from __future__ import annotations

import os

HOME_ENV = "DAILYLIST_HOME"


def data_home() -> str:
    """The data dir, resolved on every call."""
    override = os.environ.get(HOME_ENV)
    if override:
        return os.path.expanduser(override)
    import platformdirs

    return platformdirs.user_data_dir("dailylist", appauthor=False)
