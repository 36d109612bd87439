#!/usr/bin/python3
"""The client form as a screen reader gets it: the real app, read and driven through AT-SPI only.

Run by scripts/test-desktop.sh inside `dbus-run-session -- xvfb-run -a`, with the accessibility
bus switched on the way a screen reader switches it on. Everything here goes through AT-SPI
(python3-pyatspi): roles, names, states, attributes, the Value, Action and EditableText
interfaces. No key is sent and no pixel is read. It:

1. unlocks (the passphrase set through EditableText, "Unlock" pressed through Action);
2. finds the client in the clients table (a table with column headers, the client's row of
   cells), starts a session and hands over;
3. checks the window's name ("securebase", then "securebase — client mode"), the headings, and
   on every item: the statement has the focus, the scale is one group named by the statement
   holding 7 radio buttons "1 of 7" … "7 of 7" (posinset/setsize), the checked one is the
   current answer, the progress bar is named "Item k of 36" with value k of 36;
4. answers the whole ECR-R, one item "prefer not to answer", one Back that changes an answer;
5. checks the stored answers with `securebase history --format json`.

It writes a dump of one item screen's tree (item 9, answered, after Back) (roles, names, states, attributes, values) to
DUMP_PATH, which docs/accessibility-tree.txt is a copy of.

Usage: screen_reader.py BINARY DATA_FOLDER PASSPHRASE CLIENT_NAME DUMP_PATH
"""

import json
import os
import subprocess
import sys
import time

import pyatspi
import atspi_common
from atspi_common import app_root, check, fail

BINARY, DATA, PASSPHRASE, NAME, DUMP = sys.argv[1:6]
ENV = dict(os.environ, SECUREBASE_DATA=DATA)
ENV.pop("SECUREBASE_PASSPHRASE", None)
ITEMS = 36


def children(node):
    try:
        return [node.getChildAtIndex(i) for i in range(node.childCount)]
    except Exception:  # a node that went away while walking
        return []


def walk(root):
    """Every node under `root`, depth first, in the order a screen reader reads them."""
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        out.append(node)
        stack.extend(reversed(children(node)))
    return out


def role(node):
    try:
        return node.getRoleName()
    except Exception:
        return ""


def name(node):
    try:
        return node.name or ""
    except Exception:
        return ""


def attributes(node):
    try:
        return dict(a.split(":", 1) for a in node.getAttributes())
    except Exception:
        return {}


def has_state(node, state):
    try:
        return node.getState().contains(state)
    except Exception:
        return False


def value(node):
    try:
        v = node.queryValue()
        return (v.currentValue, v.minimumValue, v.maximumValue)
    except NotImplementedError:
        return None
    except Exception:
        return None


def wait_for(what, predicate, timeout=20.0):
    return atspi_common.wait_for(
        what, predicate, lambda root: [f"{role(n)}: {name(n)}" for n in walk(root)], timeout
    )


def find(want_role, want_name, contains=False):
    def predicate(root):
        for node in walk(root):
            n = name(node)
            if (want_role is None or role(node) == want_role) and (
                want_name in n if contains else n == want_name
            ):
                return node
        return None

    return wait_for(f"{want_role} {want_name!r}", predicate)


def press(want_role, want_name, contains=False):
    node = find(want_role, want_name, contains)
    node.queryAction().doAction(0)
    return node


def frame(root):
    return next((n for n in children(root) if role(n) == "frame"), None)


def dump(root):
    """The tree as lines: role, "name", [states], {attributes}, value."""
    lines = []

    def visit(node, depth):
        parts = [role(node)]
        n = name(node)
        if n:
            parts.append(json.dumps(n, ensure_ascii=False))
        try:
            description = node.description
        except Exception:
            description = ""
        if description:
            parts.append(f"description={json.dumps(description, ensure_ascii=False)}")
        states = [
            label
            for state, label in [
                (pyatspi.STATE_FOCUSED, "focused"),
                (pyatspi.STATE_FOCUSABLE, "focusable"),
                (pyatspi.STATE_CHECKED, "checked"),
                (pyatspi.STATE_PRESSED, "pressed"),
            ]
            if has_state(node, state)
        ]
        if states:
            parts.append("[" + ", ".join(states) + "]")
        attrs = {k: v for k, v in attributes(node).items() if k in ("posinset", "setsize", "level")}
        if attrs:
            parts.append("{" + ", ".join(f"{k}: {v}" for k, v in sorted(attrs.items())) + "}")
        v = value(node)
        if v is not None:
            parts.append(f"value={v[0]:g} (min {v[1]:g}, max {v[2]:g})")
        lines.append("  " * depth + " ".join(parts))
        for child in children(node):
            visit(child, depth + 1)

    visit(root, 0)
    return "\n".join(lines) + "\n"


def item_screen(k):
    """Waits for item k's screen; returns (statement, group, radios, progress)."""

    def predicate(root):
        nodes = walk(root)
        progress = [n for n in nodes if role(n) == "progress bar"]
        if not progress or name(progress[0]) != f"Item {k} of {ITEMS}":
            return None
        focused = [n for n in nodes if has_state(n, pyatspi.STATE_FOCUSED)]
        if not focused or role(focused[0]) != "label":
            return None
        groups = [n for n in nodes if role(n) == "panel" and name(n) == name(focused[0])]
        if not groups:
            return None
        radios = [n for n in children(groups[0]) if role(n) == "radio button"]
        if len(radios) != 7:
            return None
        return focused[0], groups[0], radios, progress[0]

    return wait_for(f"item {k} with its statement focused", predicate)


def checked(radios):
    return [name(r) for r in radios if has_state(r, pyatspi.STATE_CHECKED)]


def securebase(*args):
    return atspi_common.securebase(BINARY, ENV, PASSPHRASE, *args)


log = open(os.path.join(DATA, "..", "app-screen-reader.log"), "w")
app = subprocess.Popen([BINARY], env=ENV, stderr=log, stdout=log)

# 1. Unlock through AT-SPI alone.
field = find("password text", "Clinician's passphrase")
root = app_root()
check(name(frame(root)) == "securebase", f"the window is named 'securebase' ({name(frame(root))!r})")
field.queryEditableText().setTextContents(PASSPHRASE)
time.sleep(0.3)
press("push button", "Unlock")

# 2. The clients table: headers, and the client's row of cells.
def clients_table(root):
    for node in walk(root):
        if role(node) == "table" and name(node) == "Clients":
            rows = [n for n in children(node) if role(n) == "table row"]
            if len(rows) >= 2 and any(NAME in name(c) for c in walk(rows[1])):
                return node, rows
    return None


table, rows = wait_for("the clients table with the client's row", clients_table)
headers = [name(n) for n in children(rows[0]) if role(n) == "column header"] if rows else []
check(
    headers[:2] == ["Pseudonym / clinic ID", "Birth year"],
    f"the clients table has its column headers first ({headers})",
)
client_row = next(
    (r for r in rows[1:] if any(NAME in name(c) for c in walk(r))), None
)
check(client_row is not None, f"the client's row is a table row holding {NAME!r}")
cells = [c for c in children(client_row) if role(c) == "table cell"]
check(len(cells) == len(headers), f"the row has one cell per header ({len(cells)} of {len(headers)})")
check(
    any(role(n) == "heading" and name(n) == "Clients" for n in walk(app_root())),
    "the page title 'Clients' is a heading",
)
press("link", NAME)
press("push button", "Start a session")
press("check box", "ECR-R \u2014 ", contains=True)
press("push button", "Start and hand over")

# 3. Client mode: the window says so; each screen's heading has the focus.
wait_for(
    "the window named for client mode",
    lambda root: name(frame(root)) == "securebase \u2014 client mode",
)
check(True, "in client mode the window is named 'securebase \u2014 client mode'")
hand_over = find("heading", f"Please pass the computer to {NAME}.")
wait_for("the hand-over heading focused", lambda root: has_state(hand_over, pyatspi.STATE_FOCUSED))
check(True, "the hand-over screen's heading is a heading and has the focus")
reading = [name(n) for n in walk(frame(app_root())) if name(n)]
check(
    "Clinician" in reading and reading.index("Clinician") > reading.index("Start"),
    "the form comes before the 'Clinician' button in reading order",
)
press("push button", "Start")
find("heading", f"Hello. Are you {NAME}?")
press("push button", f"Yes, I am {NAME}")
find("heading", "Before you begin")
press("push button", "Continue")

# 4. The whole ECR-R: item k answered (k % 7) + 1; item 5 declined; on item 10, Back to item 9,
# which is answered again with 1 (first 3).
answers = {}
k = 1
went_back = False
while k <= ITEMS:
    statement, group, radios, progress = item_screen(k)
    positions = [(attributes(r).get("posinset"), attributes(r).get("setsize")) for r in radios]
    if positions != [(str(i), "7") for i in range(1, 8)]:
        fail(f"item {k}: the radio buttons are not '1 of 7' … '7 of 7' ({positions})")
    current, low, high = value(progress)
    if (current, low, high) != (k, 0, ITEMS):
        fail(f"item {k}: the progress value is {current} of {low}..{high}")
    expected = answers.get(k)
    shown = checked(radios)
    if isinstance(expected, int):
        if len(shown) != 1 or not shown[0].startswith(str(expected)):
            fail(f"item {k}: the checked radio is {shown}, the answer given was {expected}")
    elif shown:
        fail(f"item {k}: {shown} is checked, but nothing was chosen")
    if k == 1:
        check(True, "item 1: the statement has the focus, the scale is a group named by it")
        check(radios[0].name == "1 Strongly disagree", f"option 1 is named with its anchor ({radios[0].name!r})")
        check("Not answered yet" in group.description, f"the group says the current answer ({group.description!r})")
    if k == 10 and not went_back:
        went_back = True
        press("push button", "Back")
        statement, group, radios, progress = item_screen(9)
        shown = checked(radios)
        check(shown and shown[0].startswith("3"), f"after Back, item 9 shows its answer 3 checked ({shown})")
        check(
            group.description == "Your answer: 3",
            f"and the group says so ({group.description!r})",
        )
        # The dump of docs/accessibility-tree.txt: an item with its answer checked.
        with open(DUMP, "w") as out:
            out.write(dump(frame(app_root())))
        radios[0].queryAction().doAction(0)
        answers[9] = 1
        continue
    if k == 5:
        press("toggle button", "Prefer not to answer")
        answers[k] = "declined"
    else:
        choice = (k % 7) + 1
        radios[choice - 1].queryAction().doAction(0)
        answers[k] = choice
    k += 1
    # The next screen is waited for by item_screen (or the end).
check(True, f"all {ITEMS} items answered through AT-SPI, one declined, one changed after Back")
find("heading", "Thank you \u2014 please return the computer to your clinician.")
check(True, "the end screen's heading is announced")
app.terminate()
app.wait(timeout=20)
log.close()

# 5. What the store holds.
history = json.loads(securebase("history", "--client", NAME, "--format", "json"))
administrations = history["administrations"]
check(
    [a["status"] for a in administrations] == ["completed"],
    f"one administration, completed ({[a['status'] for a in administrations]})",
)
stored = administrations[0]
print(f"stored: n_missing {stored['n_missing']}, scores {stored['scores']}")
check(stored["n_missing"] == 1, "one item is missing: the one declined")


def mean(items, reversed_items):
    """The ECR-R's published key, worked here apart from the app: reversed items are 8 - x;
    a scale is the mean of its answered items."""
    values = [
        8 - answers[i] if i in reversed_items else answers[i]
        for i in items
        if isinstance(answers[i], int)
    ]
    return sum(values) / len(values)


anxiety = mean(range(1, 19), {9, 11})
avoidance = mean(range(19, 37), {20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36})
scores = stored["scores"]
check(
    abs(scores["anxiety"] - anxiety) < 1e-9 and abs(scores["avoidance"] - avoidance) < 1e-9,
    f"securebase history scores the answers as given, item 9 changed to 1 and item 5 left out "
    f"(anxiety {anxiety:.4f}, avoidance {avoidance:.4f})",
)
print("screen reader test: all passed")
