import sys

from roi.cli import main

sys.exit(main())
