"""verl 0.5.0 verl/tools/schemas.py, restated without pydantic: the same
class names, model_validate and model_dump; a property must have a "type"
(str), unknown keys are ignored as pydantic does by default."""


class _Model:
    _fields = ()

    def __init__(self, **kw):
        self._set = set(kw)
        for k in self._fields:
            setattr(self, k, kw.get(k))

    @classmethod
    def model_validate(cls, d):
        if not isinstance(d, dict):
            raise ValueError(f"{cls.__name__}: not an object")
        return cls(**cls._check(d))

    @classmethod
    def _check(cls, d):
        return {k: v for k, v in d.items() if k in cls._fields}

    def model_dump(self, exclude_unset=False, exclude_none=False):
        out = {}
        for k in self._fields:
            v = getattr(self, k)
            if exclude_unset and k not in self._set:
                continue
            if exclude_none and v is None:
                continue
            if isinstance(v, _Model):
                v = v.model_dump(exclude_unset, exclude_none)
            elif isinstance(v, dict):
                v = {a: (b.model_dump(exclude_unset, exclude_none) if isinstance(b, _Model) else b) for a, b in v.items()}
            out[k] = v
        return out


class OpenAIFunctionPropertySchema(_Model):
    _fields = ("type", "description", "enum")

    @classmethod
    def _check(cls, d):
        if not isinstance(d.get("type"), str):
            raise ValueError("OpenAIFunctionPropertySchema: type must be a string")
        return super()._check(d)


class OpenAIFunctionParametersSchema(_Model):
    _fields = ("type", "properties", "required")

    @classmethod
    def _check(cls, d):
        d = super()._check(d)
        if not isinstance(d.get("type"), str) or not isinstance(d.get("required"), list):
            raise ValueError("OpenAIFunctionParametersSchema: type and required are needed")
        d["properties"] = {k: OpenAIFunctionPropertySchema.model_validate(v) for k, v in (d.get("properties") or {}).items()}
        return d


class OpenAIFunctionSchema(_Model):
    _fields = ("name", "description", "parameters", "strict")

    @classmethod
    def _check(cls, d):
        d = super()._check(d)
        if not isinstance(d.get("name"), str) or not isinstance(d.get("description"), str):
            raise ValueError("OpenAIFunctionSchema: name and description are needed")
        d["parameters"] = OpenAIFunctionParametersSchema.model_validate(d.get("parameters"))
        return d


class OpenAIFunctionToolSchema(_Model):
    _fields = ("type", "function")

    @classmethod
    def _check(cls, d):
        d = super()._check(d)
        d["function"] = OpenAIFunctionSchema.model_validate(d.get("function"))
        return d
