#!/usr/bin/env python3
"""Assemble README.md: .readme/head.md, the topic guides in docs/, .readme/tail.md.

Each guide's headings are shifted so its top heading becomes a README section
(##); lines inside code fences are left alone.
"""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
GUIDES = ['claim-language.md', 'config.md', 'operations.md', 'reports.md']


def headings(lines):
    fenced = False
    for i, line in enumerate(lines):
        if line.startswith('```'):
            fenced = not fenced
        elif not fenced and re.match(r'#+ ', line):
            yield i


def as_section(text):
    lines = text.splitlines()
    idx = list(headings(lines))
    if not idx:
        return text
    top = min(len(lines[i].split(' ', 1)[0]) for i in idx)
    for i in idx:
        level = len(lines[i].split(' ', 1)[0])
        lines[i] = '#' * (level - top + 2) + lines[i][level:]
    return '\n'.join(lines)


parts = [(root / '.readme' / 'head.md').read_text()]
for name in GUIDES:
    guide = root / 'docs' / name
    if guide.exists():
        parts.append(as_section(guide.read_text()))
parts.append((root / '.readme' / 'tail.md').read_text())
(root / 'README.md').write_text('\n'.join(p.rstrip('\n') + '\n' for p in parts))
