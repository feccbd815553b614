"""Benchmark for `convert`'s maths, printed side by side from one run.

(a) Rendering one 3840x2160 frame through the RV1126 hardware model, against
    - a plain numpy copy of the same frame (the memory-bound floor), and
    - CamPro's own pipeline in torch on the CPU (x**2.2, CCM, clamp, uniform PWL gamma,
      float32, as the paper's code computes it; re-implemented here).
(b) Gamma error of the least-squares fit against sampling the curve at the knots, for smooth and
    non-monotone curves (12-bit units over all 4096 input codes).
"""

from __future__ import annotations

import time

import numpy as np

from campro_edge.isp.gamma_fit import fit_gamma
from campro_edge.isp.hardware import HardwareIsp, render_hardware

W, H = 3840, 2160
REPEAT = 5


def best_of(fn, repeat: int = REPEAT) -> float:
    fn()  # warm-up (page faults, caches)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def campro_torch(frame_u8: np.ndarray, ccm: np.ndarray, kp: np.ndarray):
    import torch

    x = torch.from_numpy(frame_u8).permute(2, 0, 1).unsqueeze(0)  # NCHW uint8
    ccm_t = torch.tensor(ccm, dtype=torch.float32)
    kp_t = torch.tensor(kp, dtype=torch.float32)
    n = kp_t.numel() - 1

    def run() -> None:
        with torch.no_grad():
            img = x.float() / 255.0
            lin = torch.clamp(img**2.2, 0, 1)
            flat = lin.reshape(3, -1)
            out = torch.clamp(ccm_t @ flat, 0, 1)
            i = torch.floor(torch.clamp(out, 1e-6, 1 - 1e-6) * n).long()
            a = out * n - i
            _ = kp_t[i] * (1 - a) + kp_t[i + 1] * a

    return run


def main() -> None:
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    ccm = np.array([[0.55, 0.75, -0.3], [-0.2, 0.45, 0.75], [0.7, -0.25, 0.55]])
    kp = np.abs(np.sin(np.pi * np.linspace(0, 1, 32) ** 0.45))
    hw = HardwareIsp.from_matrix(ccm, fit_gamma(kp).knots_y)

    t_copy = best_of(lambda: frame.copy())
    t_hw = best_of(lambda: render_hardware(hw, frame))
    try:
        import torch

        torch.set_num_threads(max(1, torch.get_num_threads()))
        t_torch = best_of(campro_torch(frame, ccm, kp), repeat=3)
    except ImportError:
        t_torch = float("nan")

    mpix = W * H / 1e6
    print(f"(a) one {W}x{H} frame ({mpix:.1f} Mpixel), best of {REPEAT}")
    print(f"    {'pipeline':<34}{'ms':>9}{'Mpix/s':>9}{'x numpy copy':>14}")
    for name, t in [("numpy copy (memory floor)", t_copy),
                    ("hardware model (campro_edge)", t_hw),
                    ("CamPro float pipeline (torch CPU)", t_torch)]:
        print(f"    {name:<34}{t * 1e3:9.1f}{mpix / t:9.1f}{t / t_copy:14.1f}")
    print(f"    hardware model vs CamPro torch: {t_torch / t_hw:.2f}x faster")

    x = np.linspace(0, 1, 32)
    curves = {
        "gamma 1/2.2 (smooth)": x ** (1 / 2.2),
        "S-curve (smooth)": 0.5 - 0.5 * np.cos(np.pi * x),
        "two-fold (non-monotone)": np.abs(np.sin(np.pi * x**0.45)),
        "saw x3 (non-monotone)": (3 * x) % 1.0,
        "random knots (non-monotone)": np.random.default_rng(1).uniform(0, 1, 32),
    }
    print("\n(b) gamma error vs CamPro's curve over all 4096 input codes (12-bit units)")
    print(f"    {'curve':<30}{'fit rms':>9}{'fit max':>9}{'sample rms':>12}{'sample max':>12}"
          f"{'rms ratio':>11}")
    for name, g in curves.items():
        f = fit_gamma(g)
        print(f"    {name:<30}{f.rms_error:9.2f}{f.max_error:9.2f}{f.sampled_rms_error:12.2f}"
              f"{f.sampled_max_error:12.2f}{f.sampled_rms_error / f.rms_error:10.2f}x")


if __name__ == "__main__":
    main()
