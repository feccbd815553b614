import sys

from campro_edge_sim.cli import main

sys.exit(main())
