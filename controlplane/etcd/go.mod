// Wrapper module: builds etcd at the version kubeadm pairs with the pinned Kubernetes release.
module cloudops.io/controlplane/etcd

go 1.24

require go.etcd.io/etcd/server/v3 v3.5.24
