import sys

from govkg.cli import main

sys.exit(main())
