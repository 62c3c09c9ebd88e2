"""gunicorn settings of the Django peer: threaded workers, two per CPU this
process may run on plus one (gunicorn's advice), a few threads each so that
database waits overlap."""
import os

bind = "127.0.0.1:" + os.environ.get("PORT", "8083")
wsgi_app = "tesite.wsgi:application"
worker_class = "gthread"
workers = int(os.environ.get("WORKERS") or 2 * len(os.sched_getaffinity(0)) + 1)
threads = int(os.environ.get("THREADS") or 4)
keepalive = 5
accesslog = None
loglevel = "warning"
