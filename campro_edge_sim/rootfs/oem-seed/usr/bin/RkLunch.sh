#!/bin/sh
# vendor application launcher (simulated board: no IPC application, rkaiq_3A_server serves 3A)
echo "RkLunch: starting applications"
