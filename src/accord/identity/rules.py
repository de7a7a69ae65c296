"""Match rules: which identifiers link records, and in which sources.

A rule (``accord.yaml``'s ``identity.rules``) says that records sharing a normalised value of
one of its identifiers are the same person; ``sources`` limits it to records of those
sources. Rules are scoped independently: an e-mail rule for the CRM and the shop and another
for the web link CRM to shop and web to web, never CRM to web. The graph keys each
identifier node by (rule, kind, value) to keep that scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp

from accord.errors import ConfigError
from accord.project.config import Identity, Project

#: The identifier kinds a rule can use, and the canonical field each is read from.
IDENTIFIER_KINDS: tuple[str, ...] = ("email", "phone", "customer_ref")


@dataclass(frozen=True, slots=True)
class RuleScope:
    """One (rule, identifier kind) pair and the sources it applies to.

    Attributes:
        rule: the rule's position in the project (its index in edges and reports).
        name: the rule's name.
        kind: the identifier kind.
        sources: the sources whose records it links; ``None`` for every source.
    """

    rule: int
    name: str
    kind: str
    sources: frozenset[str] | None

    def applies(self, source: str) -> bool:
        """Whether records of ``source`` take part in this rule."""
        return self.sources is None or source in self.sources


def rule_scopes(identity: Identity) -> list[RuleScope]:
    """Every (rule, kind) pair of the identity settings, in declaration order.

    >>> [(s.name, s.kind) for s in rule_scopes(Identity())]
    [('email', 'email'), ('phone', 'phone'), ('customer_ref', 'customer_ref')]
    """
    return [RuleScope(rule=index, name=rule.name, kind=kind,
                      sources=frozenset(rule.sources) if rule.sources is not None else None)
            for index, rule in enumerate(identity.rules)
            for kind in dict.fromkeys(rule.identifiers)]


def linking_kinds(scopes: Iterable[RuleScope], source: str) -> frozenset[str]:
    """The identifier kinds that can link records of ``source``."""
    return frozenset(scope.kind for scope in scopes if scope.applies(source))


def check_rules(project: Project) -> None:
    """Refuse rules that cannot mean what they say.

    Raises:
        ConfigError: two rules share a name, or a rule names a source the project lacks.
    """
    seen: set[str] = set()
    for rule in project.identity.rules:
        if rule.name in seen:
            raise ConfigError(f"identity rule {rule.name!r} is declared twice")
        seen.add(rule.name)
        unknown = sorted(set(rule.sources or ()) - set(project.sources))
        if unknown and project.sources:
            raise ConfigError(f"identity rule {rule.name!r} names unknown source(s) "
                              f"{', '.join(unknown)}; known: {', '.join(project.sources)}")


def scopes_sql(scopes: list[RuleScope]) -> exp.Expression:
    """The scopes as a relation ``(rule, kind, source)``; ``source`` NULL means every source.

    Joined with identifiers on kind and source, it yields each record's edges.
    """
    rows: list[exp.Expression] = []
    for scope in scopes:
        sources: Iterable[str | None] = sorted(scope.sources) if scope.sources is not None \
            else [None]
        for source in sources:
            rows.append(exp.Tuple(expressions=[
                exp.Literal.number(scope.rule), exp.Literal.string(scope.kind),
                exp.Literal.string(source) if source is not None else exp.cast(
                    exp.null(), exp.DataType.build("VARCHAR"))]))
    if not rows:  # no rules: an empty relation of the same shape
        rows.append(exp.Tuple(expressions=[exp.Literal.number(-1), exp.Literal.string(""),
                                           exp.Literal.string("")]))
    alias = exp.TableAlias(this=exp.to_identifier("s"),
                           columns=[exp.to_identifier(c) for c in ("rule", "kind", "source")])
    return exp.Values(expressions=rows, alias=alias)
