"""The demo retailer: a generated multi-source customer base with known truth.

>>> from accord.demo import DemoSpec
>>> DemoSpec(customers=1_000).seed
7
"""

from accord.demo.generate import DemoReport, generate_demo
from accord.demo.spec import DemoSpec

__all__ = ["DemoReport", "DemoSpec", "generate_demo"]
