"""campro-edge-sim: a simulated RV1126 + IMX415 board reached exactly like a real one.

A real Dropbear SSH server on loopback, a board root directory with the Rockchip image layout in
its own mount/PID/UTS namespaces, BusyBox ash as the shell, and an rkaiq/v4l2 emulation that
renders frames through the IQ file the board currently holds. Host-side fault injection.
See docs/simulator.md. The product (`campro_edge`) never imports this package.
"""
