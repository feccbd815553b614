"""Tiny inline-SVG plots for the offline HTML report (no plotting library needed)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
W, H = 420, 300
ML, MR, MT, MB = 55, 15, 15, 45


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) < 0.01 or abs(v) >= 1e4:
        return f"{v:.0e}"
    return f"{v:g}"


def _frame(xlabel: str, ylabel: str, xticks: Sequence[tuple[float, str]],
           yticks: Sequence[tuple[float, str]]) -> list[str]:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">',
           f'<rect x="{ML}" y="{MT}" width="{W - ML - MR}" height="{H - MT - MB}" '
           'fill="white" stroke="#444"/>']
    for px, label in xticks:
        out.append(f'<line x1="{px:.1f}" y1="{H - MB}" x2="{px:.1f}" y2="{H - MB + 4}" '
                   'stroke="#444"/>')
        out.append(f'<text x="{px:.1f}" y="{H - MB + 16}" text-anchor="middle">'
                   f'{escape(label)}</text>')
    for py, label in yticks:
        out.append(f'<line x1="{ML - 4}" y1="{py:.1f}" x2="{ML}" y2="{py:.1f}" stroke="#444"/>')
        out.append(f'<text x="{ML - 6}" y="{py + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    out.append(f'<text x="{(ML + W - MR) / 2}" y="{H - 8}" text-anchor="middle">'
               f'{escape(xlabel)}</text>')
    out.append(f'<text x="14" y="{(MT + H - MB) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(MT + H - MB) / 2})">{escape(ylabel)}</text>')
    return out


def _legend(labels: Sequence[str]) -> list[str]:
    out = []
    for i, lab in enumerate(labels):
        y = MT + 14 + 14 * i
        c = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{W - MR - 120}" y="{y - 9}" width="10" height="10" fill="{c}"/>')
        out.append(f'<text x="{W - MR - 105}" y="{y}">{escape(lab)}</text>')
    return out


def line_plot(series: Sequence[tuple[str, Sequence[float], Sequence[float]]], xlabel: str,
              ylabel: str, log_x: bool = False, x_min: float | None = None) -> str:
    """Lines for (label, xs, ys); y in [0, 1]; optional log x axis (ROC curves)."""
    xs_all = [x for _, xs, _ in series for x in xs if not log_x or x > 0]
    lo = x_min if x_min is not None else (min(xs_all) if xs_all else 0.0)
    hi = max(xs_all) if xs_all else 1.0
    if log_x:
        lo = max(lo, 1e-6)
        lo_t, hi_t = math.log10(lo), math.log10(max(hi, lo * 10))
    else:
        lo_t, hi_t = lo, hi if hi > lo else lo + 1

    def sx(x: float) -> float:
        t = math.log10(max(x, lo)) if log_x else x
        return ML + (t - lo_t) / (hi_t - lo_t) * (W - ML - MR)

    def sy(y: float) -> float:
        return H - MB - y * (H - MT - MB)

    if log_x:
        exps = range(math.ceil(lo_t), math.floor(hi_t) + 1)
        xt = [(sx(10.0**e), _fmt(10.0**e)) for e in exps]
    else:
        xt = [(sx(lo_t + k * (hi_t - lo_t) / 4), _fmt(lo_t + k * (hi_t - lo_t) / 4))
              for k in range(5)]
    yt = [(sy(k / 4), _fmt(k / 4)) for k in range(5)]
    out = _frame(xlabel, ylabel, xt, yt)
    for i, (_, xs, ys) in enumerate(series):
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=True)
                       if not log_x or x > 0)
        if pts:
            out.append(f'<polyline fill="none" stroke="{PALETTE[i % len(PALETTE)]}" '
                       f'stroke-width="1.8" points="{pts}"/>')
    out += _legend([s[0] for s in series])
    out.append("</svg>")
    return "\n".join(out)


def histogram(series: Sequence[tuple[str, Sequence[int]]], edges: Sequence[float], xlabel: str,
              ylabel: str = "fraction of pixels") -> str:
    """Step histograms (normalised to fractions) sharing the same bin edges."""
    fracs = []
    for _, counts in series:
        total = float(sum(counts)) or 1.0
        fracs.append([c / total for c in counts])
    top = max((max(f) for f in fracs if f), default=1.0) or 1.0
    lo, hi = edges[0], edges[-1]

    def sx(x: float) -> float:
        return ML + (x - lo) / (hi - lo) * (W - ML - MR)

    def sy(y: float) -> float:
        return H - MB - y / top * (H - MT - MB)

    xt = [(sx(lo + k * (hi - lo) / 4), _fmt(lo + k * (hi - lo) / 4)) for k in range(5)]
    yt = [(sy(top * k / 4), f"{top * k / 4:.2f}") for k in range(5)]
    out = _frame(xlabel, ylabel, xt, yt)
    for i, f in enumerate(fracs):
        pts = []
        for k, v in enumerate(f):
            pts += [f"{sx(edges[k]):.1f},{sy(v):.1f}", f"{sx(edges[k + 1]):.1f},{sy(v):.1f}"]
        out.append(f'<polyline fill="none" stroke="{PALETTE[i % len(PALETTE)]}" '
                   f'stroke-width="1.5" points="{" ".join(pts)}"/>')
    out += _legend([s[0] for s in series])
    out.append("</svg>")
    return "\n".join(out)
