#!/usr/bin/env python3
"""Writes THIRD-PARTY-LICENSES.txt for a build of securebase: every crate compiled into the
executables for one target (normal dependencies only: no build scripts, proc macros or test
tools, which do not ship), with its licence expression and the licence files it carries, and
the fonts securebase embeds itself.

    scripts/third-party-licenses.py TARGET-TRIPLE OUTPUT-FILE

Reads `cargo metadata`; needs no network once the crates are fetched."""

import json
import os
import subprocess
import sys

LICENCE_NAMES = ("license", "licence", "copying", "notice", "ofl", "ufl", "copyright")
TEXT_SUFFIXES = ("", ".txt", ".md", ".mit", ".apache", ".apache2", ".bsd", ".zlib")


def licence_files(package):
    """Licence texts in the crate's folder (and its fonts/ folder, for bundled fonts)."""
    root = os.path.dirname(package["manifest_path"])
    found = []
    for folder in (root, os.path.join(root, "fonts")):
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            lower = name.lower()
            stem, ext = os.path.splitext(lower)
            is_licence = any(stem.startswith(n) or n in stem for n in LICENCE_NAMES)
            is_font_note = folder.endswith("fonts") and ext == ".txt"
            if os.path.isfile(path) and (is_licence and ext in TEXT_SUFFIXES or is_font_note):
                found.append(path)
    if package.get("license_file"):
        path = os.path.join(root, package["license_file"])
        if os.path.isfile(path) and path not in found:
            found.append(path)
    return found


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    target, output = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    meta = json.loads(
        subprocess.check_output(
            ["cargo", "metadata", "--format-version", "1", "--locked",
             "--filter-platform", target],
            cwd=here,
        )
    )
    by_name = {(p["name"], p["version"]): p for p in meta["packages"]}
    root = meta["resolve"]["root"]
    # cargo tree resolves features as the real build does (dev-dependencies left out), which
    # `cargo metadata`'s resolve does not.
    tree = subprocess.check_output(
        ["cargo", "tree", "--locked", "-e", "normal", "--target", target,
         "--prefix", "none", "-f", "{p}"],
        cwd=here, text=True,
    )
    shipped = set()
    for line in tree.splitlines():
        if "(proc-macro)" in line:
            continue
        words = line.replace(" (*)", "").split()
        if len(words) >= 2 and words[1].startswith("v"):
            key = (words[0], words[1][1:])
            if key in by_name and by_name[key]["id"] != root:
                shipped.add(key)
    packages = {k: by_name[k] for k in shipped}
    ours = next(p for p in meta["packages"] if p["id"] == root)
    out = []
    out.append(f"Third-party software in securebase {ours['version']} ({target})\n")
    out.append("=" * 78 + "\n\n")
    out.append(
        "securebase itself is licensed under MIT OR Apache-2.0 (LICENSE-MIT.txt,\n"
        "LICENSE-APACHE.txt). Its executables contain the following, each under its own\n"
        f"licence, given below with the licence files each carries ({len(shipped)} crates).\n\n"
    )
    fonts = os.path.join(here, "assets", "fonts", "DejaVu-LICENSE.txt")
    out.append("-" * 78 + "\n")
    out.append("DejaVu Sans (assets/fonts; charts and PDF reports)\n\n")
    with open(fonts, encoding="utf-8", errors="replace") as f:
        out.append(f.read().rstrip() + "\n\n")
    # Each licence text once, after the list; crates refer to it by number.
    texts, text_of = [], {}
    listing = []
    for key in sorted(shipped):
        p = packages[key]
        refs = []
        for path in licence_files(p):
            with open(path, encoding="utf-8", errors="replace") as f:
                body = f.read().rstrip()
            if body not in text_of:
                texts.append((body, []))
                text_of[body] = len(texts)
            n = text_of[body]
            rel = os.path.relpath(path, os.path.dirname(p["manifest_path"]))
            texts[n - 1][1].append(f"{p['name']} {p['version']} ({rel})")
            refs.append(f"[{n}] {rel}")
        line = f"{p['name']} {p['version']}: {p.get('license') or 'see its licence file'}"
        if p.get("repository"):
            line += f"\n    source: {p['repository']}"
        line += "\n    licence files: " + (
            ", ".join(refs) if refs else
            "none in the crate (the standard MIT and Apache-2.0 texts are in LICENSE-MIT.txt "
            "and LICENSE-APACHE.txt)")
        listing.append(line + "\n")
    out.append("-" * 78 + "\nThe crates\n\n")
    out.extend(listing)
    out.append("\n" + "-" * 78 + "\nThe licence texts\n")
    for n, (body, carriers) in enumerate(texts, 1):
        out.append(f"\n[{n}] carried by: " + "; ".join(carriers) + "\n\n")
        out.append(body + "\n")
    with open(output, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(out))


if __name__ == "__main__":
    main()
