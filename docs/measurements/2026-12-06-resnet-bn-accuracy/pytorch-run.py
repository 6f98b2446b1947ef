import sys, time, math, json, torch, torch.nn.functional as F
sys.path.insert(0, "/work/main/peer/pytorch")
from lesson_nets import MODELS, read_idx
import numpy as np
opt_name, lr, wd, epochs, seed, bs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
data = sys.argv[7] if len(sys.argv) > 7 else "/usr/share/datasets/fashion-mnist"
mean, std = (0.2860, 0.3530) if "fashion" in data else (0.1307, 0.3081)
import os; torch.set_num_threads(int(os.environ.get("THREADS","2"))); torch.manual_seed(seed)
def norm(a): return ((torch.from_numpy(a.astype(np.float32)/255.0)-mean)/std).unsqueeze(1)
tx=norm(read_idx(data,"train-images-idx3-ubyte")); ty=torch.from_numpy(read_idx(data,"train-labels-idx1-ubyte").astype("int64"))
vx=norm(read_idx(data,"t10k-images-idx3-ubyte")); vy=torch.from_numpy(read_idx(data,"t10k-labels-idx1-ubyte").astype("int64"))
m=MODELS["resnet-bn"]()
if opt_name=="sgd": opt=torch.optim.SGD(m.parameters(), lr=lr, momentum=0.9, weight_decay=wd, nesterov=True)
elif opt_name=="adamw": opt=torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=wd)
else: opt=torch.optim.Adam(m.parameters(), lr=lr, weight_decay=wd)
sched=torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
for e in range(epochs):
    m.train(); t=time.time(); perm=torch.randperm(len(ty))
    for i in range(0,len(ty),bs):
        idx=perm[i:i+bs]; opt.zero_grad(); F.cross_entropy(m(tx[idx]),ty[idx]).backward(); opt.step()
    sched.step(); m.eval()
    with torch.no_grad(): c=sum(int((m(vx[j:j+1000]).argmax(1)==vy[j:j+1000]).sum()) for j in range(0,10000,1000))
    print(f"epoch {e+1} acc {c/100:.2f} time {time.time()-t:.1f}", flush=True)
