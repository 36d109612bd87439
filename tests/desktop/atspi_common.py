"""What both desktop tests need: failing and checking with a message, and the app on the
accessibility bus (found by its AT-SPI application name, "securebase")."""

import os
import subprocess
import sys
import time

import pyatspi

TEST = os.path.basename(sys.argv[0]).removesuffix(".py")


def fail(message):
    print(f"{TEST} FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok: {message}")


def app_root():
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        if app is not None and app.name == "securebase":
            return app
    return None


def wait_for(what, predicate, describe, timeout=20.0):
    """`predicate(root)` once it is truthy, within `timeout` seconds; else fails with what
    the app shows, as `describe(root)` lists it."""
    started = time.time()
    while time.time() - started < timeout:
        root = app_root()
        if root is not None:
            found = predicate(root)
            if found:
                return found
        time.sleep(0.1)
    root = app_root()
    shown = describe(root)[:80] if root else "no app"
    fail(f"timed out waiting for {what}; the app shows: {shown}")


def securebase(binary, env, passphrase, *args):
    """Runs the command line `binary` with `args` on the unlocked folder; its output."""
    done = subprocess.run(
        [binary, *args],
        env=dict(env, SECUREBASE_PASSPHRASE=passphrase),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        fail(f"securebase {' '.join(args)}: {done.stderr}")
    return done.stdout
