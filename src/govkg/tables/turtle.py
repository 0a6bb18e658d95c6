"""Turtle that keeps every literal exactly as it is.

rdflib's Turtle serializer writes typed literals in shorthand from their value, which changes
the literal: ``"117"^^xsd:decimal`` becomes ``117.0`` and ``"1"^^xsd:boolean`` becomes the
integer ``1``. Here every typed literal is written quoted, with its datatype.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node


class ExactTurtleSerializer(TurtleSerializer):
    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal):
            return node._literal_n3(use_plain=False, qname_callback=lambda dt: self.get_pname(dt, False))
        return super().label(node, position)
