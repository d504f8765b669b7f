"""Stand-ins the restated executor is called with: a tokenizer (one token per
character), vLLM's SamplingParams (the fields read) and an engine whose
"model" is a policy(text) -> text."""
from types import SimpleNamespace


class _Ids(list):
    def tolist(self):
        return list(self)


class CharTokenizer:
    def __call__(self, text, add_special_tokens=False, return_tensors=None):
        return {"input_ids": [_Ids(ord(c) for c in text)]}

    def decode(self, ids, skip_special_tokens=False):
        return "".join(chr(i) for i in ids)


class SamplingParams:
    def __init__(self, max_tokens=None, logprobs=None, temperature=1.0):
        self.max_tokens, self.logprobs, self.temperature = max_tokens, logprobs, temperature


class ScriptedEngine:
    def __init__(self, policy):
        self.policy = policy

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        text = self.policy("".join(chr(i) for i in prompt_token_ids))
        return SimpleNamespace(outputs=[SimpleNamespace(text=text, token_ids=[ord(c) for c in text])])
