// /ui/clusters (list) and /ui/clusters/:id (detail; its own chunk with uPlot).
import { lazy } from "react";
import { Route, Routes } from "react-router";
import ClusterList from "./ClusterList";

const ClusterDetail = lazy(() => import("./ClusterDetail"));

export default function ClustersArea() {
  return (
    <Routes>
      <Route index element={<ClusterList />} />
      <Route path=":id" element={<ClusterDetail />} />
    </Routes>
  );
}
