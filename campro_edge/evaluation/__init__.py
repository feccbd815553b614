"""Measurement core of `campro-edge verify` (pure measurement; no board access).

quality         RMSE / PSNR / SSIM / MS-SSIM (numpy + cv2 filters)
identification  closed-set top-1, verification ROC and TAR@FAR on embeddings
face            dlib ResNet face recogniser (HOG detector, 5-point alignment), process pool
person          OpenCV HOG people detector;  detection: rate and agreement with raw
isp_check       "is the claimed ISP really applied": CamPro frame predicted from stock frame
lut_restore     per-pixel colour-table restorer;  restoration: U-Net white-box attack
fiducials       ArUco monitor layout and homography;  sources: where frames come from
pipeline        frames -> EvaluationResult;  report: report.html, metrics.json, junit.xml
thresholds      pass/fail thresholds (pydantic; defaults + optional JSON file)
datasets        faces (gallery/probe protocol) and scenes folders
"""
