"""DMN models: read and write XML (1.1 to 1.5), evaluate decisions with traces.

>>> from accord.dmn import load
>>> model = load("examples/dmn/discount.dmn")  # doctest: +SKIP
>>> model.evaluate("Discount", {"Segment": "gold"}).value  # doctest: +SKIP
Decimal('0.1')
"""

from accord.dmn.check import Problem, check
from accord.dmn.runtime import Message, Model, Result, load, load_files, loads
from accord.dmn.xml_reader import read_dmn
from accord.dmn.xml_writer import write_dmn

__all__ = ["Message", "Model", "Problem", "Result", "check", "load", "load_files", "loads",
           "read_dmn", "write_dmn"]
