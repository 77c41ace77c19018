// The Resources area (lazy chunk): /ui/resources (cross-cluster table, "New object" editor),
// /ui/resources/compare (compare across clusters) and /ui/resources/object/:id (YAML, edit and apply,
// delete, versions). The YAML editor (CodeMirror) is a further lazy chunk, loaded when first shown.
import { Route, Routes } from "react-router";
import { NotFound } from "../../shell/NotFound";
import ComparePage from "./ComparePage";
import ObjectDetail from "./ObjectDetail";
import ResourceList from "./ResourceList";

export default function ResourcesArea() {
  return (
    <Routes>
      <Route index element={<ResourceList />} />
      <Route path="compare" element={<ComparePage />} />
      <Route path="object/:id" element={<ObjectDetail />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
