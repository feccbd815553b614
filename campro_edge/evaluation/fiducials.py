"""Scene source (b): a real board filming a monitor. Marker layout and homography.

The image is shown full screen with four ArUco markers (OpenCV's `DICT_4X4_50`, ids 0..3) in
the screen corners, outside the image. In a frame captured with the stock IQ (camera fixed,
markers need ordinary contrast) the markers' 16 corners give the screen -> frame homography;
composed with the image -> screen placement it maps every frame back to image coordinates, so
the same metrics code runs on monitor captures as on uploaded scenes. Markers are found once
and reused for the CamPro frames (whose colours would defeat the detector).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from campro_edge.errors import InputError

DICTIONARY = cv2.aruco.DICT_4X4_50
MARKER_IDS = (0, 1, 2, 3)  # top-left, top-right, bottom-right, bottom-left


@dataclass(frozen=True)
class MonitorLayout:
    """Where markers and image go on a `screen_w` x `screen_h` display."""

    screen_w: int = 1920
    screen_h: int = 1080
    marker_px: int = 160
    quiet_px: int = 24  # white border around each marker (ArUco needs a quiet zone)

    def __post_init__(self) -> None:
        inner_w = self.screen_w - 2 * self.band
        inner_h = self.screen_h - 2 * self.band
        if inner_w < 32 or inner_h < 32:
            raise InputError("screen too small for the marker layout")

    @property
    def band(self) -> int:
        """Width of the frame around the image reserved for markers."""
        return self.marker_px + 2 * self.quiet_px

    def marker_corners(self) -> dict[int, np.ndarray]:
        """Screen coordinates (4x2, clockwise from top-left) of each marker's corners."""
        q, m, w, h = self.quiet_px, self.marker_px, self.screen_w, self.screen_h
        origins = {0: (q, q), 1: (w - q - m, q), 2: (w - q - m, h - q - m), 3: (q, h - q - m)}
        return {
            i: np.array([[x, y], [x + m, y], [x + m, y + m], [x, y + m]], dtype=np.float64)
            for i, (x, y) in origins.items()
        }

    def image_placement(self, img_w: int, img_h: int) -> tuple[float, float, float]:
        """(scale, x0, y0): the image is scaled to fit between the marker bands, centred."""
        aw = self.screen_w - 2 * self.band
        ah = self.screen_h - 2 * self.band
        s = min(aw / img_w, ah / img_h)
        x0 = (self.screen_w - s * img_w) / 2
        y0 = (self.screen_h - s * img_h) / 2
        return s, x0, y0

    def image_to_screen(self, img_w: int, img_h: int) -> np.ndarray:
        """3x3 matrix mapping image pixel centres to screen coordinates."""
        s, x0, y0 = self.image_placement(img_w, img_h)
        # pixel centre (u + 0.5) * s maps to screen position x0 + (u + 0.5) * s - 0.5
        off = 0.5 * s - 0.5
        return np.array([[s, 0, x0 + off], [0, s, y0 + off], [0, 0, 1]], dtype=np.float64)


def compose_screen(image_rgb: np.ndarray, layout: MonitorLayout) -> np.ndarray:
    """The full-screen picture to display: white, markers in the corners, image in the middle."""
    img = np.asarray(image_rgb, dtype=np.uint8)
    screen = np.full((layout.screen_h, layout.screen_w, 3), 255, np.uint8)
    d = cv2.aruco.getPredefinedDictionary(DICTIONARY)
    for i, c in layout.marker_corners().items():
        x, y = int(c[0, 0]), int(c[0, 1])
        marker = cv2.aruco.generateImageMarker(d, i, layout.marker_px)
        screen[y:y + layout.marker_px, x:x + layout.marker_px] = marker[..., None]
    h, w = img.shape[:2]
    a = layout.image_to_screen(w, h)
    warped = cv2.warpAffine(img, a[:2], (layout.screen_w, layout.screen_h),
                            flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT, dst=screen)
    return warped


def find_screen_homography(frame_rgb: np.ndarray, layout: MonitorLayout,
                           min_markers: int = 2) -> np.ndarray:
    """Screen -> frame homography from the markers visible in a (stock-IQ) frame."""
    gray = cv2.cvtColor(np.asarray(frame_rgb, dtype=np.uint8), cv2.COLOR_RGB2GRAY)
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(DICTIONARY),
                                       cv2.aruco.DetectorParameters())
    corners, ids, _ = detector.detectMarkers(gray)
    expected = layout.marker_corners()
    src, dst, found = [], [], []
    if ids is not None:
        for c, i in zip(corners, ids.reshape(-1), strict=True):
            if int(i) in expected and int(i) not in found:
                found.append(int(i))
                src.append(expected[int(i)])
                dst.append(c.reshape(4, 2))
    if len(found) < min_markers:
        raise InputError(
            f"found {len(found)} of the 4 fiducial markers in the stock frame (need "
            f"{min_markers}); is the monitor fully in view, in focus and not over-exposed?"
        )
    h, _ = cv2.findHomography(np.concatenate(src), np.concatenate(dst).astype(np.float64), 0)
    if h is None:
        raise InputError("the fiducial markers give no consistent homography")
    return h


def frame_to_image(frame_rgb: np.ndarray, screen_to_frame: np.ndarray, layout: MonitorLayout,
                   img_w: int, img_h: int) -> np.ndarray:
    """Resample a captured frame into the displayed image's pixel grid."""
    m = screen_to_frame @ layout.image_to_screen(img_w, img_h)  # image -> frame
    return cv2.warpPerspective(np.asarray(frame_rgb, dtype=np.uint8), m, (img_w, img_h),
                               flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
