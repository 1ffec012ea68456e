"""Socket.IO plumbing shared by every module that pushes to browsers.

- ``socket_queue``: how events travel between server processes (Redis, published first).
- ``direct_send``: under gevent, each packet written straight to its WebSocket.
- ``patches``: the one list of third-party internals we replace, each installed explicitly
  by the app factory and only on the version it was written for.
"""
