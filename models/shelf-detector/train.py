"""Trains the bundled shelf detector (classes: product, price_tag) on renderer output and exports ONNX.

    node --import tsx models/shelf-detector/export-data.ts /tmp/shelf-train 1000 1150
    python3 models/shelf-detector/train.py /tmp/shelf-train models/shelf-detector --minutes 7
    python3 models/shelf-detector/train.py DIR OUT --init models/shelf-detector/model.onnx --minutes 35 --batch 16 --lr 1e-3 --warmup 20 --val-every 1

Real shelf photos join the renders in DIR through export-photos.ts (labelled COCO photos cut into letterboxed views
named `r-*`): what the renderer cannot teach (real pack art, real light, real clutter) only they can.

With --init, training starts from an exported model.onnx (its convolutions carry the batch norms folded in): the batch
norms start as identities and keep those statistics (frozen, as usual when fine-tuning on small batches); a CPU can
then move the bundled model towards new renders in tens of minutes, where training from scratch needs a GPU.

A small anchor-free YOLO-style network (stride-8 head over a 3-level feature pyramid, CPU-friendly), exported in
the YOLOv8 layout [1, 4 + nc, N]: per anchor cx, cy, w, h in input pixels, then sigmoid class scores. Each box side
is a distribution over REG_MAX distances (YOLOv8's distribution focal loss), whose expectation is exported: it places
the sides of small price tags more finely than one regressed number. Runs on a GPU when there is one (the whole set is
held and augmented on the device), else on the CPU; needs torch (1.13 or newer), numpy and Pillow, and onnx for
--init (Debian: python3-torch python3-numpy python3-pil python3-onnx).
"""
import argparse, contextlib, copy, glob, json, math, os, random, time
from concurrent.futures import ThreadPoolExecutor
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

SIZE, STRIDE, NC, REG_MAX = 512, 8, 2, 16
GRID = SIZE // STRIDE
PAD = 114 / 255  # the letterbox grey


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
        self.box = nn.Conv2d(64, 4 * REG_MAX, 1)
        self.cls = nn.Conv2d(64, NC, 1)
        nn.init.constant_(self.cls.bias, -4.6)
        self.register_buffer("bins", torch.arange(REG_MAX, dtype=torch.float32))
        self.export = False

    def forward(self, x):
        p3 = self.p3(self.stem(x))
        p4 = self.p4(p3)
        p5 = self.p5(p4)
        n4 = self.n4(torch.cat([F.interpolate(p5, scale_factor=2.0, mode="nearest"), p4], 1))
        n3 = self.n3(torch.cat([F.interpolate(n4, scale_factor=2.0, mode="nearest"), p3], 1))
        b, _, h, w = n3.shape
        dist = self.box(n3).view(b, 4, REG_MAX, h, w)  # logits over distances to the box sides, in stride units
        logits = self.cls(n3)
        if not self.export:
            return dist, logits
        ltrb = (dist.softmax(2) * self.bins.view(1, 1, REG_MAX, 1, 1)).sum(2) * STRIDE
        ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
        cx, cy = (xs + 0.5) * STRIDE, (ys + 0.5) * STRIDE
        x1, y1, x2, y2 = cx - ltrb[:, 0], cy - ltrb[:, 1], cx + ltrb[:, 2], cy + ltrb[:, 3]
        boxes = torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], 1).reshape(b, 4, h * w)
        return torch.cat([boxes, torch.sigmoid(logits).reshape(b, NC, h * w)], 1)


def load(folder):
    """All images as one uint8 tensor [n, 3, S, S] and the labels as [n, M, 5] (class, x1, y1, x2, y2 in pixels; class -1 pads)."""
    paths = sorted(glob.glob(os.path.join(folder, "*.jpg")))
    with ThreadPoolExecutor(8) as pool:
        images = list(pool.map(lambda p: np.asarray(Image.open(p).convert("RGB")), paths))
    rows = [np.loadtxt(p[:-4] + ".txt", dtype=np.float32, ndmin=2).reshape(-1, 5) for p in paths]
    labels = np.full((len(paths), max(len(r) for r in rows), 5), -1, np.float32)
    for k, r in enumerate(rows):
        c, cx, cy, w, h = r.T
        labels[k, : len(r)] = np.stack([c, (cx - w / 2) * SIZE, (cy - h / 2) * SIZE, (cx + w / 2) * SIZE, (cy + h / 2) * SIZE], 1)
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels)


def uniform(n, lo, hi, device, p=1.0, neutral=None):
    """n values in [lo, hi); with probability 1 - p the neutral value instead."""
    v = torch.empty(n, device=device).uniform_(lo, hi)
    if neutral is None:
        return v
    return torch.where(torch.rand(n, device=device) < p, v, torch.full_like(v, neutral))


def augment(x, labels):
    """On the batch's device: mirror, zoom and shift (half the batch keeps the photo's own scale), light, white balance,
    saturation, blur and sensor noise. Boxes follow the geometry; one left less than 60% in view is dropped, as the
    renderer does at the photo's edge."""
    n, dev = x.shape[0], x.device
    flip = torch.rand(n, device=dev) < 0.5
    x = torch.where(flip.view(n, 1, 1, 1), x.flip(3), x)
    mirrored = labels.clone()
    mirrored[..., 1], mirrored[..., 3] = SIZE - labels[..., 3], SIZE - labels[..., 1]
    labels = torch.where(flip.view(n, 1, 1), mirrored, labels)

    s = uniform(n, 0.75, 1.3, dev, p=0.5, neutral=1.0)
    t = (torch.rand(n, 2, device=dev) * 2 - 1) * 0.1 * SIZE * (s != 1).float().unsqueeze(1)
    theta = torch.zeros(n, 2, 3, device=dev)
    theta[:, 0, 0], theta[:, 1, 1] = 1 / s, 1 / s
    theta[:, :, 2] = -(t / (SIZE / 2)) / s.unsqueeze(1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x - PAD, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + PAD
    c, box = labels[..., :1], labels[..., 1:]
    shift = torch.cat([t, t], 1).view(n, 1, 4)
    moved = (box - SIZE / 2) * s.view(n, 1, 1) + SIZE / 2 + shift
    clipped = moved.clamp(0, SIZE)
    area = lambda b: (b[..., 2] - b[..., 0]).clamp(min=0) * (b[..., 3] - b[..., 1]).clamp(min=0)
    keep = (c[..., 0] >= 0) & (area(clipped) >= 0.6 * area(moved).clamp(min=1e-6)) & (area(clipped) > 1)
    labels = torch.where(keep.unsqueeze(-1), torch.cat([c, clipped], -1), torch.full_like(labels, -1))

    x = x * uniform(n, 0.75, 1.25, dev).view(n, 1, 1, 1) * uniform(n * 3, 0.92, 1.08, dev).view(n, 3, 1, 1)
    x = x + uniform(n, -0.06, 0.06, dev).view(n, 1, 1, 1)
    grey = x.mean(1, keepdim=True)
    x = grey + (x - grey) * uniform(n, 0.7, 1.3, dev).view(n, 1, 1, 1)
    blurred = F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, 1)
    x = x + (blurred - x) * uniform(n, 0.3, 1.0, dev, p=0.25, neutral=0.0).view(n, 1, 1, 1)
    x = x + torch.randn_like(x) * uniform(n, 0.0, 0.03, dev, p=0.3, neutral=0.0).view(n, 1, 1, 1)
    return x.clamp(0, 1), labels


def targets(labels):
    """Centre-sampling assignment: a cell is positive for the smallest box whose centre region holds it (the cell's
    centre inside the box, within 0.5-1.5 cells of the box centre, or the box centre's own cell)."""
    n, dev = labels.shape[0], labels.device
    c, x1, y1, x2, y2 = labels.unbind(-1)
    w, h = x2 - x1, y2 - y1
    idx = torch.arange(GRID, device=dev, dtype=torch.float32)
    centre = (idx + 0.5) * STRIDE

    def axis(lo, hi, size):
        g = (lo + hi) / 2 / STRIDE
        r = (size / STRIDE / 2).clamp(0.5, 1.5)
        near = (idx >= torch.floor(g - r).unsqueeze(-1)) & (idx <= torch.floor(g + r).unsqueeze(-1))
        inside = (centre > lo.unsqueeze(-1)) & (centre < hi.unsqueeze(-1))
        return near, inside, idx == torch.floor(g).unsqueeze(-1)

    near_x, in_x, own_x = axis(x1, x2, w)
    near_y, in_y, own_y = axis(y1, y2, h)
    cand = near_y.unsqueeze(-1) & near_x.unsqueeze(-2)
    cand &= (in_y.unsqueeze(-1) & in_x.unsqueeze(-2)) | (own_y.unsqueeze(-1) & own_x.unsqueeze(-2))
    cand &= (c >= 0).view(n, -1, 1, 1)
    area = torch.where(cand, (w * h).view(n, -1, 1, 1), torch.full_like(cand, float("inf"), dtype=torch.float32))
    best_area, best = area.min(1)
    pos = torch.isfinite(best_area)
    chosen = torch.gather(labels, 1, best.view(n, -1, 1).expand(-1, -1, 5)).view(n, GRID, GRID, 5)
    cls_t = F.one_hot(chosen[..., 0].long().clamp(min=0), NC).float() * pos.unsqueeze(-1).float()
    return cls_t.permute(0, 3, 1, 2), chosen[..., 1:].permute(0, 3, 1, 2), pos


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


def loss_fn(dist, logits, cls_t, box_t, pos):
    dist, logits = dist.float(), logits.float()
    dev = dist.device
    idx = torch.arange(GRID, dtype=torch.float32, device=dev)
    cy, cx = torch.meshgrid((idx + 0.5) * STRIDE, (idx + 0.5) * STRIDE, indexing="ij")
    n = pos.sum().clamp(min=1).float()
    d = dist.permute(0, 3, 4, 1, 2)[pos]  # [P, 4, REG_MAX]
    px, py = cx.expand_as(pos)[pos], cy.expand_as(pos)[pos]
    ltrb = (d.softmax(-1) * torch.arange(REG_MAX, dtype=torch.float32, device=dev)).sum(-1) * STRIDE
    p = torch.stack([px - ltrb[:, 0], py - ltrb[:, 1], px + ltrb[:, 2], py + ltrb[:, 3]], 1)
    t = box_t.permute(0, 2, 3, 1)[pos]
    g, iou = giou(p, t)
    box_loss = (1 - g).sum() / n
    # Distribution focal loss: the two bins either side of the true distance share its mass.
    target = torch.stack([px - t[:, 0], py - t[:, 1], t[:, 2] - px, t[:, 3] - py], 1).div(STRIDE).clamp(0, REG_MAX - 1.01)
    lo = target.floor().long()
    wl = lo.float() + 1 - target
    logp = F.log_softmax(d, -1)
    dfl = -(logp.gather(-1, lo.unsqueeze(-1)).squeeze(-1) * wl + logp.gather(-1, (lo + 1).unsqueeze(-1)).squeeze(-1) * (1 - wl))
    dfl_loss = dfl.mean(-1).sum() / n
    # Class targets carry the box quality (IoU) so that scores rank good boxes first (as in VarifocalNet/YOLOv8).
    q = cls_t.permute(0, 2, 3, 1).clone()
    q[pos] = q[pos] * iou.detach().clamp(0.05).unsqueeze(1)
    quality = q.permute(0, 3, 1, 2)
    prob = torch.sigmoid(logits)
    weight = torch.where(cls_t > 0, torch.ones_like(prob), prob.detach() ** 2 * 0.75)
    cls_loss = (F.binary_cross_entropy_with_logits(logits, quality, reduction="none") * weight).sum() / n
    return box_loss * 2.5 + dfl_loss * 0.5 + cls_loss, (box_loss.item(), dfl_loss.item(), cls_loss.item())


def load_onnx(model, path):
    """Weights of an exported model.onnx into `model`: each Conv node's weight and bias, in graph order, into the
    network's convolutions in module order; the batch norm after a folded convolution becomes an identity."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(path).graph
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    convs = [[weights[name] for name in node.input[1:]] for node in graph.node if node.op_type == "Conv"]
    modules = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if len(convs) != len(modules):
        raise SystemExit(f"{path} has {len(convs)} convolutions, this network {len(modules)}: not the same architecture")
    norms = {id(seq[0]): seq[1] for seq in model.modules() if isinstance(seq, nn.Sequential) and len(seq) == 3 and isinstance(seq[1], nn.BatchNorm2d)}
    with torch.no_grad():
        for (w, b), conv in zip(convs, modules):
            conv.weight.copy_(w)
            if conv.bias is not None:
                conv.bias.copy_(b)
                continue
            bn = norms[id(conv)]
            bn.weight.fill_(1.0), bn.bias.copy_(b), bn.running_mean.zero_(), bn.running_var.fill_(1.0 - bn.eps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=7, help="training time budget (the learning rate follows it)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--val", type=int, default=64, help="images held out (the last seeds) to pick the best weights")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads when there is no GPU")
    ap.add_argument("--init", help="start from this exported model.onnx (fine-tuning: batch norms frozen)")
    ap.add_argument("--warmup", type=int, default=300, help="steps of linear learning-rate warm-up")
    ap.add_argument("--val-every", type=int, default=10, help="validate every this many epochs (and at the end)")
    args = ap.parse_args()
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    amp = lambda: torch.autocast(device_type="cuda", dtype=torch.bfloat16) if cuda else contextlib.nullcontext()
    if not cuda:
        torch.set_num_threads(args.threads)
    random.seed(0), torch.manual_seed(0)
    images, labels = load(args.data)
    images, labels = images.to(device), labels.to(device)
    train_n = len(images) - args.val
    print(f"{len(images)} images ({args.val} held out), device {device}, torch {torch.__version__}", flush=True)
    model = ShelfNet()
    if args.init:
        load_onnx(model, args.init)
    model = model.to(device)
    if cuda:
        torch.backends.cudnn.benchmark = True
        model = model.to(memory_format=torch.channels_last)
    # Exponential moving average of the weights: what is exported (steadier than the last step's weights).
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    budget = args.minutes * 60
    start = time.time()
    step, epoch, history, best = 0, 0, [], (float("inf"), None, 0)

    def validate():
        ema_losses = []
        with torch.no_grad(), amp():
            for k in range(train_n, len(images), args.batch):
                x = images[k : k + args.batch].float() / 255
                cls_t, box_t, pos = targets(labels[k : k + args.batch])
                dist, logits = ema(x.contiguous(memory_format=torch.channels_last) if cuda else x)
                ema_losses.append(loss_fn(dist, logits, cls_t, box_t, pos)[1])
        return np.mean(ema_losses, 0).tolist()

    while time.time() - start < budget:
        order = torch.randperm(train_n, device=device)
        model.train()
        if args.init:
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()
        losses = []
        for k in range(0, train_n - args.batch + 1, args.batch):
            frac = min(1.0, (time.time() - start) / budget)
            warm = min(1.0, (step + 1) / args.warmup)
            for group in opt.param_groups:
                group["lr"] = args.lr * warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
            pick = order[k : k + args.batch]
            x, lab = augment(images[pick].float() / 255, labels[pick])
            cls_t, box_t, pos = targets(lab)
            with amp():
                dist, logits = model(x.contiguous(memory_format=torch.channels_last) if cuda else x)
            loss, parts = loss_fn(dist, logits, cls_t, box_t, pos)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            decay = 0.9995 * (1 - math.exp(-step / 1000))
            with torch.no_grad():
                for e, m in zip(ema.state_dict().values(), model.state_dict().values()):
                    if e.dtype.is_floating_point:
                        e.mul_(decay).add_(m.detach(), alpha=1 - decay)
                    else:
                        e.copy_(m)
            losses.append(parts)
            if time.time() - start >= budget:
                break
        epoch += 1
        mean = np.mean(losses, 0)
        record = {"epoch": epoch, "step": step, "box_loss": float(mean[0]), "dfl_loss": float(mean[1]), "cls_loss": float(mean[2])}
        if args.val and (epoch % args.val_every == 0 or time.time() - start >= budget):
            v = validate()
            record.update(val_box_loss=v[0], val_dfl_loss=v[1], val_cls_loss=v[2])
            total = v[0] * 2.5 + v[1] * 0.5 + v[2]
            if total < best[0]:
                best = (total, copy.deepcopy(ema.state_dict()), epoch)
        history.append(record)
        print(json.dumps({**record, "seconds": round(time.time() - start)}), flush=True)
    if best[1] is not None:
        ema.load_state_dict(best[1])
    ema = ema.float().cpu().to(memory_format=torch.contiguous_format)
    os.makedirs(args.out, exist_ok=True)
    torch.save(ema.state_dict(), os.path.join(args.out, "weights.pt"))
    summary = {"init": args.init, "images": train_n, "held_out": args.val, "epochs": epoch, "steps": step, "batch": args.batch, "best_epoch": best[2], "minutes": round((time.time() - start) / 60, 1), "history": history}
    json.dump(summary, open(os.path.join(args.out, "training.json"), "w"), indent=2)  # copied into manifest.json
    ema.export = True
    # The TorchScript exporter at opset 13, as torch 1.13 writes it (torch 2.x needs dynamo=False for it).
    legacy = {"dynamo": False} if int(torch.__version__.split(".")[0]) >= 2 else {}
    torch.onnx.export(ema, torch.zeros(1, 3, SIZE, SIZE), os.path.join(args.out, "model.onnx"), input_names=["images"], output_names=["output0"], opset_version=13, **legacy)
    kept = f"weights of epoch {best[2]}" if best[1] is not None else "the last step's moving average"
    print("exported", epoch, "epochs", step, "steps,", kept, flush=True)


if __name__ == "__main__":
    main()
