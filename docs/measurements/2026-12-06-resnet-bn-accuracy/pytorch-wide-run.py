import sys, os, time, torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, "/work/main/peer/pytorch")
from lesson_nets import read_idx
import numpy as np
w1, w2, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(int(os.environ.get("THREADS", "2"))); torch.manual_seed(seed)
class Block(nn.Module):
    def __init__(s, c):
        super().__init__(); s.c1=nn.Conv2d(c,c,3,padding=1,bias=False); s.b1=nn.BatchNorm2d(c); s.c2=nn.Conv2d(c,c,3,padding=1,bias=False); s.b2=nn.BatchNorm2d(c)
    def forward(s,x): return F.relu(x + s.b2(s.c2(F.relu(s.b1(s.c1(x))))))
class Net(nn.Module):
    def __init__(s):
        super().__init__(); s.c1=nn.Conv2d(1,w1,3,padding=1,bias=False); s.b1=nn.BatchNorm2d(w1); s.r1=Block(w1)
        s.c2=nn.Conv2d(w1,w2,3,padding=1,bias=False); s.b2=nn.BatchNorm2d(w2); s.r2=Block(w2); s.fc=nn.Linear(w2,10)
    def forward(s,x):
        x=F.max_pool2d(F.relu(s.b1(s.c1(x))),2); x=s.r1(x); x=F.max_pool2d(F.relu(s.b2(s.c2(x))),2); x=s.r2(x)
        return s.fc(F.adaptive_avg_pool2d(x,1).flatten(1))
data="/usr/share/datasets/fashion-mnist"; mean,std=0.2860,0.3530
def norm(a): return ((torch.from_numpy(a.astype(np.float32)/255.0)-mean)/std).unsqueeze(1)
tx=norm(read_idx(data,"train-images-idx3-ubyte")); ty=torch.from_numpy(read_idx(data,"train-labels-idx1-ubyte").astype("int64"))
vx=norm(read_idx(data,"t10k-images-idx3-ubyte")); vy=torch.from_numpy(read_idx(data,"t10k-labels-idx1-ubyte").astype("int64"))
m=Net(); print("params", sum(p.numel() for p in m.parameters()), flush=True)
opt=torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True); sched=torch.optim.lr_scheduler.CosineAnnealingLR(opt,10)
for e in range(10):
    m.train(); t=time.time(); perm=torch.randperm(len(ty))
    for i in range(0,len(ty),64):
        idx=perm[i:i+64]; opt.zero_grad(); F.cross_entropy(m(tx[idx]),ty[idx]).backward(); opt.step()
    sched.step(); m.eval()
    with torch.no_grad(): c=sum(int((m(vx[j:j+1000]).argmax(1)==vy[j:j+1000]).sum()) for j in range(0,10000,1000))
    print(f"epoch {e+1} acc {c/100:.2f} time {time.time()-t:.1f}", flush=True)
