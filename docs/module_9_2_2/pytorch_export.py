"""A network of the exercise-4 shape in PyTorch, and its weights written as a file the explorer loads."""

import numpy as np
import torch
from torch import nn


class TinyCNN(nn.Module):
    """conv 4×3×3 'same' + ReLU, max-pool 2, conv 8×3×3 'same' + ReLU, max-pool 2, dense 392 -> 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.dense = nn.Linear(8 * 7 * 7, 10)

    def forward(self, x):  # x: (N, 1, 28, 28), values from 0 to 1
        x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.dense(x.flatten(1))


def export_weights(model, path):
    """Save model's weights in the explorer's layout: channels last, as float64."""

    def numbers(tensor):
        return tensor.detach().cpu().double().numpy()

    # PyTorch keeps filters as (out, in, rows, columns), the explorer as (out, rows, columns, in);
    # PyTorch's dense layer reads pool2 as (channel, row, column), the explorer's as (row, column, channel).
    dense = model.dense.weight.reshape(10, 8, 7, 7).permute(0, 2, 3, 1).reshape(10, 392)
    np.savez(
        path,
        W1=numbers(model.conv1.weight.permute(0, 2, 3, 1)),
        b1=numbers(model.conv1.bias),
        W2=numbers(model.conv2.weight.permute(0, 2, 3, 1)),
        b2=numbers(model.conv2.bias),
        W3=numbers(dense),
        b3=numbers(model.dense.bias),
    )
