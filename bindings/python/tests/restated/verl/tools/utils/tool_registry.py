"""verl 0.5.0 verl/tools/utils/tool_registry.py, restated: native tools only.
verl reads the file with OmegaConf.load (YAML); JSON is YAML, and the
restatement reads JSON."""
import importlib
import json

from verl.tools.schemas import OpenAIFunctionToolSchema


def get_tool_class(cls_name):
    module_name, class_name = cls_name.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)


def initialize_tools_from_config(tools_config_file):
    with open(tools_config_file) as f:
        tools_config = json.load(f)
    tool_list = []
    for tool_config in tools_config["tools"]:
        tool_cls = get_tool_class(tool_config["class_name"])
        if tool_config["config"].get("type", "native") != "native":
            raise NotImplementedError
        schema = tool_config.get("tool_schema")
        tool_schema = OpenAIFunctionToolSchema.model_validate(schema) if schema is not None else None
        tool_list.append(tool_cls(config=tool_config["config"], tool_schema=tool_schema))
    return tool_list
