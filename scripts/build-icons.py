#!/usr/bin/env python3
"""Builds public/img/icons.svg, the one SVG sprite every icon comes from.

Line icons are Lucide's (lucide-static, ISC license), drawn with
`currentColor` so they follow the text colour; the six reactions are
Twemoji's (@twemoji/svg, graphics CC-BY 4.0). `app::components::common::Icon`
names each symbol; the sprite is committed, so the build needs neither
package. To change the set, edit ICONS/REACTIONS here and the `IconName`
enum together, then run (network: npm):

    python3 scripts/build-icons.py

It fetches the pinned packages with `npm pack` into a temporary folder.
"""

import pathlib
import re
import subprocess
import sys
import tarfile
import tempfile

LUCIDE = "lucide-static@1.87.0"
TWEMOJI = "@twemoji/svg@15.0.0"

# symbol id -> Lucide icon name
ICONS = {
    "messages": "message-circle",
    "notifications": "bell",
    "friends": "users",
    "people": "compass",
    "settings": "settings",
    "public": "globe",
    "only-me": "lock",
    "like": "thumbs-up",
    "share": "forward",
    "chevron-down": "chevron-down",
    "chevron-left": "chevron-left",
    "chevron-right": "chevron-right",
    "close": "x",
    "photo": "image",
    "video": "video",
    "pause": "pause",
    "resume": "play",
    "search": "search",
    "more": "ellipsis",
}

# symbol id -> Twemoji code point file
REACTIONS = {
    "reaction-like": "1f44d",
    "reaction-love": "2764",
    "reaction-haha": "1f606",
    "reaction-wow": "1f62e",
    "reaction-sad": "1f622",
    "reaction-angry": "1f620",
}

# Drawn here: the big play button over a video poster (white on a dark disc,
# readable on any frame).
OWN = {
    "play-disc": (
        '<symbol id="play-disc" viewBox="0 0 64 64">'
        '<circle cx="32" cy="32" r="30" fill="rgb(0 0 0 / 0.6)" stroke="#fff" stroke-width="3"/>'
        '<path d="M26 20l20 12-20 12z" fill="#fff"/></symbol>'
    ),
}

LINE_ATTRS = (
    'fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round"'
)


def unpack(spec: str, into: pathlib.Path) -> pathlib.Path:
    out = subprocess.run(
        ["npm", "pack", "--silent", spec], cwd=into, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    folder = into / out.removesuffix(".tgz")
    with tarfile.open(into / out) as tar:
        tar.extractall(folder, filter="data")
    return folder / "package"


def inner(svg: str) -> str:
    body = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    body = re.sub(r"^.*?<svg[^>]*>", "", body, flags=re.S)
    body = re.sub(r"</svg>\s*$", "", body.strip())
    return re.sub(r">\s+<", "><", body.strip())


def main() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        lucide = unpack(LUCIDE, tmp) / "icons"
        twemoji = unpack(TWEMOJI, tmp)
        symbols = []
        for sid, name in ICONS.items():
            body = inner((lucide / f"{name}.svg").read_text())
            symbols.append(f'<symbol id="{sid}" viewBox="0 0 24 24" {LINE_ATTRS}>{body}</symbol>')
        for sid, code in REACTIONS.items():
            body = inner((twemoji / f"{code}.svg").read_text())
            symbols.append(f'<symbol id="{sid}" viewBox="0 0 36 36">{body}</symbol>')
        symbols.extend(OWN.values())
    header = (
        f"<!-- Hearth's icons, built by scripts/build-icons.py. Line icons: {LUCIDE} "
        f"(ISC, https://lucide.dev); reactions: {TWEMOJI} (Twemoji graphics, "
        "CC-BY 4.0, https://github.com/jdecked/twemoji). -->\n"
    )
    sprite = (
        header
        + '<svg xmlns="http://www.w3.org/2000/svg">\n'
        + "\n".join(symbols)
        + "\n</svg>\n"
    )
    out = root / "public" / "img" / "icons.svg"
    out.write_text(sprite)
    print(f"wrote {out} ({len(sprite)} bytes, {len(symbols)} symbols)", file=sys.stderr)


if __name__ == "__main__":
    main()
