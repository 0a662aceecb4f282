# Step 1 of docs/guides/importing-pytorch-schnet.md: a SchNet state dict as JSON for PosePool.
import json
import torch

model = ...  # a torch_geometric.nn.models.SchNet, or an mtenn model built on one
state = {name: tensor.detach().cpu().tolist() for name, tensor in model.state_dict().items()}
with open("schnet.json", "w") as f:
    json.dump(state, f)
