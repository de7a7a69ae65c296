"""DMN models: read and write XML (1.1 to 1.5), evaluate decisions with traces.

>>> from accord.dmn import load
>>> model = load("examples/dmn/discount.dmn")  # doctest: +SKIP
>>> model.evaluate("Discount", {"Segment": "gold"}).value  # doctest: +SKIP
Decimal('0.1')
"""

from accord.dmn.runtime import Message, Model, Result, load, loads

__all__ = ["Message", "Model", "Result", "load", "loads"]
