#!/bin/sh
echo "RkLunch: stopping applications"
