"""python3 -m calsync_web: serves the app (settings from CALSYNC_WEB_*, see config.py) on
CALSYNC_WEB_LISTEN (default 127.0.0.1:8000) until Ctrl-C or SIGTERM."""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from . import close_app, config, create_app, serving


def main() -> int:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = config.from_environment()
    except config.ConfigError as e:
        print(f"calsync_web: {e}", file=sys.stderr)
        return 2
    host, _, port = os.environ.get("CALSYNC_WEB_LISTEN", "127.0.0.1:8000").rpartition(":")
    server = serving.bind(host, int(port))
    server.app = create_app(settings)
    # SIGTERM stops it as Ctrl-C does (shutdown must come from another thread).
    signal.signal(signal.SIGTERM,
                  lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print(f"calsync_web: {settings.base_url}/ (listening on {host}:{server.server_port})",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        close_app(server.app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
