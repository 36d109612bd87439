#!/usr/bin/python3
"""Client mode on a real desktop (REDTEAM H2, L14): the real app under a window manager.

Run by scripts/test-desktop.sh inside `dbus-run-session -- xvfb-run -a`, with openbox and an
xterm beside the app. Drives the app only through what the desktop has: AT-SPI (the tree a
screen reader reads) to find and press controls, xdotool for keys and for the window
manager's own moves. Checks:

1. Alt+Tab from client mode hides the form at once behind "Please call your clinician"; the
   other window has the focus; no item text is left in the app's tree.
2. Coming back does not show the form; a wrong passphrase keeps the field's focus (the next
   try is typed into it, L14); only the right passphrase brings the form back, at the item
   where the client was.
3. The window destroyed from outside (`xdotool windowclose`): exit code 0, no panic.
4. The next start resumes the session, and every answer given is stored (`securebase
   history`); the audit log has the interruption and the return.

Usage: client_mode.py BINARY DATA_FOLDER PASSPHRASE CLIENT_NAME [APP_BINARY]
(APP_BINARY, default BINARY: the app to test, e.g. an older build to see the test fail.)
"""

import json
import os
import subprocess
import sys
import time

import pyatspi
import atspi_common
from atspi_common import app_root, check, fail

BINARY, DATA, PASSPHRASE, NAME = sys.argv[1:5]
APP = sys.argv[5] if len(sys.argv) > 5 else BINARY
ENV = dict(os.environ, SECUREBASE_DATA=DATA)
ENV.pop("SECUREBASE_PASSPHRASE", None)


def nodes(root):
    """Every node under `root` as (role name, name, accessible)."""
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        try:
            out.append((node.getRoleName(), node.name or "", node))
            stack.extend(node.getChildAtIndex(i) for i in range(node.childCount))
        except Exception:  # a node that went away while walking
            continue
    return [n for n in out if n[2] is not None]


def names(root):
    return [name for _, name, _ in nodes(root)]


def wait_for(what, predicate, timeout=20.0):
    return atspi_common.wait_for(
        what, predicate, lambda root: [f"{r}: {n}" for r, n, _ in nodes(root)], timeout
    )


def find(role, name, contains=False):
    def predicate(root):
        for r, n, node in nodes(root):
            if (role is None or r == role) and (name in n if contains else n == name):
                return node
        return None

    return wait_for(f"{role} {name!r}", predicate)


def press(role, name, contains=False):
    node = find(role, name, contains)
    node.queryAction().doAction(0)
    time.sleep(0.4)


def shows(text):
    return wait_for(f"text {text!r}", lambda root: any(text in n for n in names(root)))


def key(*keys):
    subprocess.run(["xdotool", "key", "--delay", "80", *keys], check=True)
    time.sleep(0.3)


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "30", text], check=True)
    time.sleep(0.2)


def window_id():
    out = subprocess.run(
        ["xdotool", "search", "--name", "^securebase"], capture_output=True, text=True
    ).stdout.split()
    return out[0] if out else None


def active_window_name():
    return subprocess.run(
        ["xdotool", "getactivewindow", "getwindowname"], capture_output=True, text=True
    ).stdout.strip()


def start_app(log):
    app = subprocess.Popen([APP], env=ENV, stderr=log, stdout=log)
    find("password text", "Clinician's passphrase")
    return app


def unlock():
    # The unlock screen gives its field the keyboard.
    find("password text", "Clinician's passphrase")
    time.sleep(0.5)
    type_text(PASSPHRASE)
    key("Return")
    shows(NAME)


def securebase(*args):
    return atspi_common.securebase(BINARY, ENV, PASSPHRASE, *args)


log1 = open(os.path.join(DATA, "..", "app-1.log"), "w")
app = start_app(log1)
unlock()
press(None, NAME)
press("push button", "Start a session")
press("check box", "ECR-R \u2014 ", contains=True)
press("push button", "Start and hand over")
press("push button", "Start")
press("push button", f"Yes, I am {NAME}")
key("Return")  # past the instructions
shows("1 of 36")
# Three answers by the number keys.
for _ in range(3):
    key("4")
shows("4 of 36")

# 1. Alt+Tab: the other window comes up, the form hides at once.
check(subprocess.run(["xdotool", "search", "--name", "^other$"], capture_output=True).returncode == 0,
      "the other window (xterm) is there")
key("alt+Tab")
time.sleep(1.0)
check(not active_window_name().startswith("securebase"), f"Alt+Tab reached another window ({active_window_name()!r})")
shows("Please call your clinician")
left = names(app_root())
check(not any("of 36" in n for n in left), "the form is hidden: no item left in the app's tree")

# 2. Back to securebase: still hidden; a wrong try keeps the field's focus; the right one returns.
subprocess.run(["xdotool", "windowactivate", "--sync", window_id()], check=False)
time.sleep(1.0)
shows("Please call your clinician")
check(not any("of 36" in n for n in names(app_root())), "coming back does not show the form")
find("password text", "Clinician's passphrase")
type_text("not the passphrase")
key("Return")
shows("not right")
# L14: typed straight after the wrong try, with no click: it must land in the field.
type_text(PASSPHRASE)
key("Return")
shows("4 of 36")
check(not any("Please call your clinician" in n for n in names(app_root())),
      "the right passphrase (typed without clicking the field again) brings the form back at item 4")
key("5")
shows("5 of 36")

# 3. The window destroyed from outside.
subprocess.run(["xdotool", "windowclose", window_id()], check=False)
try:
    code = app.wait(timeout=20)
except subprocess.TimeoutExpired:
    app.kill()
    fail("the app did not end after its window was destroyed")
log1.close()
stderr = open(os.path.join(DATA, "..", "app-1.log")).read()
check(code == 0, f"exit code 0 after the window was destroyed from outside (got {code})")
check("panicked" not in stderr, "no panic message")

# 4. The next start resumes the session; the answers are stored; the audit log says it all.
log2 = open(os.path.join(DATA, "..", "app-2.log"), "w")
app = start_app(log2)
unlock()
press(None, NAME)
press("push button", "Resume the unfinished session (1)")
press("push button", "Start")
press("push button", f"Yes, I am {NAME}")
# Four answers were given (4, 4, 4, then 5 after the return, signed by the session key made
# again): the session goes on at item 5.
shows("5 of 36")
check(True, "the next start resumes the session at item 5: all four answers were stored")
app.terminate()
app.wait(timeout=20)
history = json.loads(securebase("history", "--client", NAME, "--format", "json"))
statuses = [a["status"] for a in history["administrations"]]
check(statuses == ["in_progress"], f"one administration, in progress ({statuses})")
audit = securebase("audit")
check(audit.count("interrupted") >= 2, "the audit log has the interruption and the return")
print("desktop test: all passed")
