import sys

from omniwh.dashboard.build import main

sys.exit(main())
