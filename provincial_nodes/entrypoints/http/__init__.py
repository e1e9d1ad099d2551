"""The national HTTP interface of a province node (定点医药机构接口规范, as hospital systems speak
it): one POST endpoint, the gateway's x-tif headers, the spec's envelope and shapes, yuan.

A translation only: every transaction becomes the same gRPC request message and runs through the
same servicer, validation, msgid journal and service layer as over gRPC (docs/http.md).
"""
