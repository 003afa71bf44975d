"""`python -m web`: serve the web app.

In gevent mode (the default) the standard library must be patched before anything imports it, and
importing this package already imports a great deal, so the process starts itself again under
`python -m gevent.monkey --module web`, which patches first.
"""

import os
import sys

from web.server import main


def _patched() -> bool:
    from gevent import monkey

    return bool(monkey.is_module_patched("socket"))


if "threading" not in sys.argv[1:] and "--async-mode=threading" not in sys.argv[1:] and not _patched():
    os.execv(sys.executable, [sys.executable, "-m", "gevent.monkey", "--module", "web", *sys.argv[1:]])
main()
