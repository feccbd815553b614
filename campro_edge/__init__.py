"""campro-edge: deploy CamPro anti-face-recognition ISP parameters to Rockchip camera boards."""

__version__ = "0.1.0"
