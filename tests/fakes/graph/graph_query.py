"""OData $filter as Graph evaluates it on events (concepts/filter-query-parameter.md): a
comparison of a property (or start/dateTime, end/dateTime) with a literal, `eq ne gt ge lt
le`, `and or not`, parentheses, startswith() and contains(); anything else is refused with
400 rather than ignored, so a client never takes an unfiltered answer for a filtered one.
Events are filtered as they are rendered (their dateTime in the Prefer: outlook.timezone
zone, compared as text as Graph compares them)."""
import re

from graph_values import GraphError

TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|"
                   r"(?P<punct>[(),])|(?P<word>[A-Za-z_@][\w./@]*))")
COMPARISONS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
               "gt": lambda a, b: a is not None and b is not None and a > b,
               "ge": lambda a, b: a is not None and b is not None and a >= b,
               "lt": lambda a, b: a is not None and b is not None and a < b,
               "le": lambda a, b: a is not None and b is not None and a <= b}
FUNCTIONS = {"startswith": lambda a, b: isinstance(a, str) and a.lower().startswith(b.lower()),
             "contains": lambda a, b: isinstance(a, str) and b.lower() in a.lower()}
PROPERTIES = {"subject", "showAs", "isAllDay", "isCancelled", "isOrganizer", "importance",
              "sensitivity", "type", "transactionId", "iCalUId", "seriesMasterId", "id",
              "start/dateTime", "end/dateTime", "start/timeZone", "end/timeZone",
              "location/displayName", "bodyPreview", "categories"}


def invalid(why):
    return GraphError(400, "BadRequest", f"Invalid filter clause: {why}")


def tokens(text):
    out, at = [], 0
    while at < len(text):
        m = TOKEN.match(text, at)
        if not m or m.end() == at:
            if text[at:].strip():
                raise invalid(f"unexpected '{text[at:at + 20]}'")
            break
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        at = m.end()
    return out


class Parser:
    """Recursive descent over the tokens; builds a predicate on a rendered event."""

    def __init__(self, text):
        self.tokens, self.at = tokens(text), 0

    def peek(self, value=None):
        if self.at >= len(self.tokens):
            return None
        token = self.tokens[self.at]
        return token if value is None or token[1] == value else None

    def take(self, value=None):
        token = self.peek(value)
        if token is None:
            raise invalid(f"expected {value or 'more'}")
        self.at += 1
        return token

    def parse(self):
        predicate = self.disjunction()
        if self.peek() is not None:
            raise invalid(f"unexpected '{self.peek()[1]}'")
        return predicate

    def disjunction(self):
        left = self.conjunction()
        while self.peek("or"):
            self.take()
            right, first = self.conjunction(), left
            left = lambda e, a=first, b=right: a(e) or b(e)
        return left

    def conjunction(self):
        left = self.negation()
        while self.peek("and"):
            self.take()
            right, first = self.negation(), left
            left = lambda e, a=first, b=right: a(e) and b(e)
        return left

    def negation(self):
        if self.peek("not"):
            self.take()
            inner = self.negation()
            return lambda e: not inner(e)
        if self.peek("("):
            self.take()
            inner = self.disjunction()
            self.take(")")
            return inner
        return self.comparison()

    def operand(self):
        kind, value = self.take()
        if kind == "str":
            return lambda e, v=value[1:-1].replace("''", "'"): v
        if kind == "num":
            return lambda e, v=float(value): v
        if value in ("true", "false", "null"):
            return lambda e, v={"true": True, "false": False, "null": None}[value]: v
        if kind == "word" and value in PROPERTIES:
            return lambda e, path=value.split("/"): lookup(e, path)
        raise invalid(f"'{value}' is not a property that can be filtered")

    def comparison(self):
        kind, value = self.peek() or (None, None)
        if kind == "word" and value in FUNCTIONS:
            self.take()
            self.take("(")
            prop = self.operand()
            self.take(",")
            text = self.operand()
            self.take(")")
            return lambda e, f=FUNCTIONS[value]: f(prop(e), text(e))
        left = self.operand()
        op = self.take()[1]
        if op not in COMPARISONS:
            raise invalid(f"'{op}' is not a comparison")
        right = self.operand()
        return lambda e, f=COMPARISONS[op]: f(normal(left(e)), normal(right(e)))


def lookup(event, path):
    value = event
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def normal(value):
    # dateTime values compare by their first 19 characters (seconds), whatever the fraction.
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return value[:19]
    return value


def compile_filter(text):
    """A predicate on a rendered event, or 400 for a filter Graph would not take."""
    return Parser(text).parse()
