"""Markdown on hostile input: every text within the 50,000-character limit must be shown
(formatted, or as plain text when it would cost too much) within 200 ms.

Prints, per input of the adversarial corpus, its length, the time ``render`` took, and
whether it was formatted or fell back to plain text; the last line is the worst time.
Run: ``.venv/bin/python benchmarks/markdown_adversarial.py``.
"""

from __future__ import annotations

import time

from decisions.web.markdown import render

LIMIT = 50_000
HALF, THIRD, QUARTER, SIXTH = LIMIT // 2, LIMIT // 3, LIMIT // 4, LIMIT // 6


def _ordinary() -> str:
    parts = []
    for i in range(400):
        parts.append(f"## Section {i}\n\nLes coopératives **membres** proposent de "
                     f"[mutualiser](https://example.org/{i}) l'hébergement, budget `12 000 €`, "
                     "*révision* annuelle.\n\n- un\n- deux\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    return "\n\n".join(parts)


CORPUS = {
    "ordinary document": _ordinary(),
    "nested brackets": "[" * HALF + "]" * HALF,
    "open brackets": "[" * LIMIT,
    "closed then open": "]" * HALF + "[" * HALF,
    "bracket then paren": "[a](" * QUARTER,
    "long link chain": "[a](b)" * SIXTH,
    "reference link chain": "[a][b]" * SIXTH,
    "image openers": "![" * HALF,
    "emphasis run": "*" * LIMIT,
    "emphasis alternating": "*a" * HALF,
    "underscores alternating": "_a" * HALF,
    "strong runs": "**a" * THIRD,
    "backtick run": "`" * LIMIT,
    "backticks alternating": "`a" * HALF,
    "backtick runs growing": "".join("`" * k + "a" for k in range(1, 320)),
    "deep list": "".join("  " * i + "- a\n" for i in range(300)),
    "deep quote": ">" * LIMIT,
    "deep quote lines": "".join(">" * i + " a\n" for i in range(300)),
    "html openers": "<a" * HALF,
    "angle brackets": "<" * LIMIT,
    "autolinks": "<http://a>" * (LIMIT // 10),
    "entities": "&#" * HALF,
    "backslashes": "\\" * LIMIT,
    "fences": "```\n" * QUARTER,
    "headers": "#" * LIMIT,
    "table rows": ("|a" * 100 + "|\n") * (LIMIT // 202),
    "mixed openers": "[*`_<" * (LIMIT // 5),
}


def main() -> None:
    """Render each input once (after one warm-up, and two seconds for the spare helpers to be
    ready, as on a server that has been running) and print the figures."""
    render("warm *up*")
    time.sleep(2)
    worst = 0.0
    print(f"{'input':24} {'chars':>6} {'ms':>8}  shown as")
    for name, text in CORPUS.items():
        text = text[:LIMIT]
        started = time.perf_counter()
        rendered = render(text)
        took = (time.perf_counter() - started) * 1000
        worst = max(worst, took)
        print(f"{name:24} {len(text):6d} {took:8.1f}  "
              f"{'formatted' if rendered.formatted else 'plain text'}", flush=True)
    print(f"worst_ms={worst:.1f} limit_ms=200 within_limit={'true' if worst <= 200 else 'false'}")


if __name__ == "__main__":
    main()
