"""Trains the bundled shelf detector (classes: product, price_tag) on renderer output and exports ONNX.

    node --import tsx models/shelf-detector/export-data.ts /tmp/shelf-train 1000 1400
    nice -n 10 /usr/bin/python3 models/shelf-detector/train.py /tmp/shelf-train models/shelf-detector --minutes 20

A small anchor-free YOLO-style network (stride-8 head over a 3-level feature pyramid, CPU-friendly), exported in
the YOLOv8 layout [1, 4 + nc, N]: per anchor cx, cy, w, h in input pixels, then sigmoid class scores.
Needs Debian's python3-torch (1.13) and numpy + Pillow; no GPU.
"""
import argparse, glob, json, math, os, random, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

SIZE, STRIDE, NC = 512, 8, 2


def conv(c1, c2, s=1, k=3):
    return nn.Sequential(nn.Conv2d(c1, c2, k, s, k // 2, bias=False), nn.BatchNorm2d(c2), nn.SiLU())


class ShelfNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv(3, 16, 2), conv(16, 32, 2))
        self.p3 = nn.Sequential(conv(32, 48, 2), conv(48, 48))
        self.p4 = nn.Sequential(conv(48, 96, 2), conv(96, 96))
        self.p5 = nn.Sequential(conv(96, 128, 2), conv(128, 128))
        self.n4 = conv(224, 96, k=1)
        self.n3 = nn.Sequential(conv(144, 64, k=1), conv(64, 64))
        self.box = nn.Conv2d(64, 4, 1)
        self.cls = nn.Conv2d(64, NC, 1)
        nn.init.constant_(self.cls.bias, -4.6)
        self.export = False

    def forward(self, x):
        p3 = self.p3(self.stem(x))
        p4 = self.p4(p3)
        p5 = self.p5(p4)
        n4 = self.n4(torch.cat([F.interpolate(p5, scale_factor=2.0, mode="nearest"), p4], 1))
        n3 = self.n3(torch.cat([F.interpolate(n4, scale_factor=2.0, mode="nearest"), p3], 1))
        ltrb = F.softplus(self.box(n3))  # distances to the box sides, in stride units
        logits = self.cls(n3)
        if not self.export:
            return ltrb, logits
        b, _, h, w = ltrb.shape
        ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
        cx, cy = (xs + 0.5) * STRIDE, (ys + 0.5) * STRIDE
        l, t, r, bt = ltrb[:, 0] * STRIDE, ltrb[:, 1] * STRIDE, ltrb[:, 2] * STRIDE, ltrb[:, 3] * STRIDE
        x1, y1, x2, y2 = cx - l, cy - t, cx + r, cy + bt
        boxes = torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], 1).reshape(b, 4, h * w)
        return torch.cat([boxes, torch.sigmoid(logits).reshape(b, NC, h * w)], 1)


def load(folder):
    items = []
    for img in sorted(glob.glob(os.path.join(folder, "*.jpg"))):
        rows = [list(map(float, l.split())) for l in open(img[:-4] + ".txt") if l.strip()]
        items.append((img, np.array(rows, dtype=np.float32).reshape(-1, 5)))
    return items


def targets(labels, grid):
    """Centre-sampling assignment: a cell is positive for the smallest box whose centre region holds it."""
    cls_t = np.zeros((NC, grid, grid), np.float32)
    box_t = np.zeros((4, grid, grid), np.float32)
    pos = np.zeros((grid, grid), bool)
    area = np.full((grid, grid), np.inf, np.float32)
    for c, cx, cy, w, h in labels:
        x1, y1, x2, y2 = (cx - w / 2) * SIZE, (cy - h / 2) * SIZE, (cx + w / 2) * SIZE, (cy + h / 2) * SIZE
        gx, gy = cx * SIZE / STRIDE, cy * SIZE / STRIDE
        rx, ry = max(0.5, min(1.5, w * SIZE / STRIDE / 2)), max(0.5, min(1.5, h * SIZE / STRIDE / 2))
        for j in range(max(0, int(gy - ry)), min(grid, int(gy + ry) + 1)):
            for i in range(max(0, int(gx - rx)), min(grid, int(gx + rx) + 1)):
                px, py = (i + 0.5) * STRIDE, (j + 0.5) * STRIDE
                inside = x1 < px < x2 and y1 < py < y2
                if not inside and not (i == int(gx) and j == int(gy)):
                    continue
                a = w * h
                if a >= area[j, i]:
                    continue
                area[j, i] = a
                pos[j, i] = True
                cls_t[:, j, i] = 0
                cls_t[int(c), j, i] = 1
                box_t[:, j, i] = [x1, y1, x2, y2]
    return cls_t, box_t, pos


def batch(items, augment):
    imgs, cls_ts, box_ts, poss = [], [], [], []
    grid = SIZE // STRIDE
    for path, labels in items:
        im = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
        labels = labels.copy()
        if augment:
            if random.random() < 0.5:
                im = im[:, ::-1]
                labels[:, 1] = 1 - labels[:, 1]
            im = np.clip(im * random.uniform(0.75, 1.25) + random.uniform(-0.06, 0.06), 0, 1)
        c, b, p = targets(labels, grid)
        imgs.append(np.ascontiguousarray(im.transpose(2, 0, 1)))
        cls_ts.append(c), box_ts.append(b), poss.append(p)
    return torch.from_numpy(np.stack(imgs)), torch.from_numpy(np.stack(cls_ts)), torch.from_numpy(np.stack(box_ts)), torch.from_numpy(np.stack(poss))


def giou(a, b):
    ix1, iy1 = torch.max(a[:, 0], b[:, 0]), torch.max(a[:, 1], b[:, 1])
    ix2, iy2 = torch.min(a[:, 2], b[:, 2]), torch.min(a[:, 3], b[:, 3])
    inter = (ix2 - ix1).clamp(0) * (iy2 - iy1).clamp(0)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter + 1e-6
    cx1, cy1 = torch.min(a[:, 0], b[:, 0]), torch.min(a[:, 1], b[:, 1])
    cx2, cy2 = torch.max(a[:, 2], b[:, 2]), torch.max(a[:, 3], b[:, 3])
    hull = (cx2 - cx1) * (cy2 - cy1) + 1e-6
    iou = inter / union
    return iou - (hull - union) / hull, iou


def loss_fn(ltrb, logits, cls_t, box_t, pos):
    grid = ltrb.shape[-1]
    ys, xs = torch.meshgrid(torch.arange(grid, dtype=torch.float32), torch.arange(grid, dtype=torch.float32), indexing="ij")
    cx, cy = (xs + 0.5) * STRIDE, (ys + 0.5) * STRIDE
    pred = torch.stack([cx - ltrb[:, 0] * STRIDE, cy - ltrb[:, 1] * STRIDE, cx + ltrb[:, 2] * STRIDE, cy + ltrb[:, 3] * STRIDE], 1)
    n = pos.sum().clamp(min=1).float()
    p = pred.permute(0, 2, 3, 1)[pos]
    t = box_t.permute(0, 2, 3, 1)[pos]
    g, iou = giou(p, t)
    box_loss = (1 - g).sum() / n
    # Class targets carry the box quality (IoU) so that scores rank good boxes first (as in VarifocalNet/YOLOv8).
    quality = torch.zeros_like(cls_t)
    q = cls_t.permute(0, 2, 3, 1).clone()
    q[pos] = q[pos] * iou.detach().clamp(0.05).unsqueeze(1)
    quality = q.permute(0, 3, 1, 2)
    prob = torch.sigmoid(logits)
    weight = torch.where(cls_t > 0, torch.ones_like(prob), prob.detach() ** 2 * 0.75)
    cls_loss = (F.binary_cross_entropy_with_logits(logits, quality, reduction="none") * weight).sum() / n
    return box_loss * 2.5 + cls_loss, box_loss.item(), cls_loss.item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    random.seed(0), torch.manual_seed(0)
    items = load(args.data)
    model = ShelfNet()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=5e-4)
    budget = args.minutes * 60
    start = time.time()
    step, epoch, history = 0, 0, []
    while time.time() - start < budget:
        items = load(args.data)  # re-read: the exporter may still be adding images while training starts
        random.shuffle(items)
        model.train()
        losses = []
        for k in range(0, len(items) - args.batch + 1, args.batch):
            frac = min(1.0, (time.time() - start) / budget)
            for group in opt.param_groups:
                group["lr"] = 3e-3 * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
            x, c, b, p = batch(items[k : k + args.batch], augment=True)
            ltrb, logits = model(x)
            loss, bl, cl = loss_fn(ltrb, logits, c, b, p)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append((bl, cl))
            step += 1
            if step % 20 == 0:
                print(f"epoch {epoch} step {step} box {np.mean([l[0] for l in losses[-20:]]):.3f} cls {np.mean([l[1] for l in losses[-20:]]):.3f} {time.time() - start:.0f}s", flush=True)
            if time.time() - start >= budget:
                break
        epoch += 1
        history.append({"epoch": epoch, "box_loss": float(np.mean([l[0] for l in losses])), "cls_loss": float(np.mean([l[1] for l in losses]))})
    model.eval()
    model.export = True
    os.makedirs(args.out, exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), os.path.join(args.out, "model.onnx"), input_names=["images"], output_names=["output0"], opset_version=13)
    json.dump({"images": len(items), "epochs": epoch, "steps": step, "batch": args.batch, "minutes": round((time.time() - start) / 60, 1), "history": history}, open(os.path.join(args.out, "training.json"), "w"), indent=2)  # copied into manifest.json
    print("exported", epoch, "epochs", step, "steps")


if __name__ == "__main__":
    main()
