"""Build small DMN models in code: one decision table over input data.

>>> from accord.dmn import Model
>>> defs = table_definitions(
...     "Discount", inputs={"Segment": "string"}, outputs={"Discount": "number"},
...     rules=[(['"gold"'], ["0.1"]), (["-"], ["0"])], hit_policy="FIRST")
>>> Model(defs).evaluate("Discount", {"Segment": "gold"}).value
Decimal('0.1')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from accord.dmn import model as m


def table_definitions(decision: str, *, inputs: Mapping[str, str | None],
                      outputs: Mapping[str, str | None],
                      rules: Sequence[tuple[Sequence[str], Sequence[str]]],
                      hit_policy: str = "UNIQUE", aggregation: str | None = None,
                      output_values: Mapping[str, str] | None = None,
                      default_outputs: Mapping[str, str] | None = None,
                      decision_type: str | None = None) -> m.Definitions:
    """A model with one input data per input and one decision table over them.

    Args:
        decision: the decision's name.
        inputs: input names to FEEL type names (``None`` for untyped).
        outputs: output column names to type names.
        rules: ``(input entries, output entries)`` per rule, as FEEL text.
        hit_policy: ``UNIQUE``, ``FIRST``, ``PRIORITY``, ``ANY``, ``COLLECT``, ``RULE ORDER``
            or ``OUTPUT ORDER``.
        aggregation: ``SUM``, ``COUNT``, ``MIN`` or ``MAX`` for COLLECT.
        output_values: allowed output values per output column (unary tests text).
        default_outputs: default output entries per output column.
        decision_type: the decision variable's typeRef.
    """
    output_values = output_values or {}
    default_outputs = default_outputs or {}
    input_data = tuple(
        m.InputData(id=f"input_{i}", name=name,
                    variable=m.InformationItem(name=name, type_ref=type_ref))
        for i, (name, type_ref) in enumerate(inputs.items()))
    table = m.DecisionTable(
        id=f"table_{_slug(decision)}",
        hit_policy=m.HitPolicy(hit_policy),
        aggregation=m.Aggregation(aggregation) if aggregation else None,
        inputs=tuple(
            m.InputClause(id=f"in_{i}", input_expression=m.LiteralExpression(
                text=name, type_ref=type_ref))
            for i, (name, type_ref) in enumerate(inputs.items())),
        outputs=tuple(
            m.OutputClause(
                id=f"out_{i}", name=name if len(outputs) > 1 else None, type_ref=type_ref,
                output_values=m.UnaryTests(text=output_values[name])
                if name in output_values else None,
                default_output_entry=m.LiteralExpression(text=default_outputs[name])
                if name in default_outputs else None)
            for i, (name, type_ref) in enumerate(outputs.items())),
        rules=tuple(
            m.Rule(id=f"rule_{n + 1}",
                   input_entries=tuple(m.UnaryTests(text=text) for text in entries),
                   output_entries=tuple(m.LiteralExpression(text=text) for text in results))
            for n, (entries, results) in enumerate(rules)),
    )
    node = m.Decision(
        id=f"decision_{_slug(decision)}", name=decision,
        variable=m.InformationItem(name=decision, type_ref=decision_type),
        information_requirements=tuple(
            m.InformationRequirement(required_input=f"#{data.id}") for data in input_data),
        expression=table)
    return m.Definitions(id="definitions", name=decision, namespace="https://accord.dev/test",
                         input_data=input_data, decisions=(node,))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)
