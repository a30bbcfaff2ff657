"""The 2-D playground: students draw the data (or pick a preset) and watch G warp the noise plane onto it.

data.py     presets, drawn / pasted / uploaded point sets, validation, the link encoding
metrics.py  grid KL / JS, sliced and exact Wasserstein, coverage and precision, mode metrics
manifold.py the noise grid warped through G, with its density
figures.py  Vega-Lite specs (data in named datasets)
slowmo.py   one training step walked through its stages
pair.py     two runs in lock-step
session.py  a run = trainer + data + live metrics history (what the page, the CLI and the benchmark drive)
"""
