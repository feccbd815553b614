"""Hardware constants of the RV1126 ISP 2.0, each with its evidence.

Evidence (repository + path; see docs/hardware.md for the full citations):

* Gamma-out (GOC) knot x positions, 45 logarithmic knots on 12-bit input codes, segment widths
  1x8, 2x4, 4x4, ... 512x4: literal arrays in rockchip-toybrick/camera_engine_rkaiq
  ``algos/agamma/rk_aiq_agamma_algo.cpp`` and khadas/external_camera_engine_rkaiq
  ``rkaiq/uAPI2/rk_aiq_user_api2_agamma.cpp`` (``gamma_X_v10``); 45 samples:
  ``ISP2X_GAMMA_OUT_MAX_SAMPLES`` in ``hwi/isp20/rkisp2-config.h``.
* Gamma outputs are 12-bit integers 0..4095 (``AgammaAutoProc`` rounds with ``+0.5``;
  ``CLIP(...,0,4095)`` in khadas ``modules/rk_aiq_module_gamma21.c``).
* CCM registers: diagonal stored as ``round_half_away((c - 1) * 128)``, off-diagonal as
  ``round_half_away(c * 128)`` (``convertAiqCcmToIsp20Params`` in
  ``hwi/isp20/Isp20Params.cpp``); coefficient range [-8, 7.992] ("3f7", khadas
  ``include/iq_parser_v2/ccm_head.h``), an 11-bit signed Q4.7 field.
* RGB->YUV: the kernel's fixed BT.601 full-range matrix in 1/128 units,
  ``rkisp_config_color_space`` in EASY-EAI/rv1126-kernel
  ``drivers/media/platform/rockchip/isp/``.
"""

from __future__ import annotations

import numpy as np

#: Bits of the linear data path into CCM and gamma-out.
DATA_BITS = 12
CODE_MAX = (1 << DATA_BITS) - 1  # 4095

#: 45 logarithmic gamma knots (gamma_out_segnum = 0). The last knot is nominally 4096;
#: Rockchip's software writes 4095.
X45 = np.array(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112,
     128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048,
     2560, 3072, 3584, 4095],
    dtype=np.int64,
)  # fmt: skip

#: CCM register scale (Q4.7) and limits.
CCM_SCALE = 128
CCM_COEFF_MIN = -8.0
CCM_COEFF_MAX = 1023 / 128  # 7.9921875
CCM_REG_MIN = -1024  # 11-bit signed register
CCM_REG_MAX = 1023

#: Kernel CSM (BT.601 full range), rows Y, Cb, Cr, in 1/128 units, offsets 0/128/128.
CSM_FULL = np.array([[38, 75, 15], [-22, -42, 64], [64, -54, -10]], dtype=np.int64)
#: Limited range variant (for reference and for boards configured that way).
CSM_LIMITED = np.array([[33, 64, 13], [-19, -37, 56], [56, -47, -9]], dtype=np.int64)

#: CamPro's de-gamma exponent (src/isp/pipeline.py: clamp(x ** 2.2, 0, 1)).
CAMPRO_DEGAMMA = 2.2
