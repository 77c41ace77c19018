// Every route of the console (basename /ui). Areas are lazy chunks: pages/<area>/index.tsx
// default-exports the area's own <Routes> for its sub-paths.
//   /ui/login
//   /ui/clusters, /ui/clusters/:id
//   /ui/resources, /ui/resources/compare, /ui/resources/object/:id
//   /ui/containers, /ui/containers/:id/(logs|terminal|files)
//   /ui/backups
//   /ui/policies/(compliance|labels|self-healing|quotas|autoscalers)
//   /ui/cost
//   /ui/api
import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";
import { RequireAuth } from "./auth";
import { Shell } from "./shell/Shell";
import { Loading } from "./components/Loading";
import { NotFound } from "./shell/NotFound";
import LoginPage from "./pages/login";

const Clusters = lazy(() => import("./pages/clusters"));
const Resources = lazy(() => import("./pages/resources"));
const Containers = lazy(() => import("./pages/containers"));
const Backups = lazy(() => import("./pages/backups"));
const Policies = lazy(() => import("./pages/policies"));
const Cost = lazy(() => import("./pages/cost"));
const ApiPage = lazy(() => import("./pages/api"));

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="login" element={<LoginPage />} />
        <Route element={<RequireAuth />}>
          <Route element={<Shell />}>
            <Route index element={<Navigate to="/clusters" replace />} />
            <Route path="clusters/*" element={<Clusters />} />
            <Route path="resources/*" element={<Resources />} />
            <Route path="containers/*" element={<Containers />} />
            <Route path="backups/*" element={<Backups />} />
            <Route path="policies/*" element={<Policies />} />
            <Route path="cost/*" element={<Cost />} />
            <Route path="api/*" element={<ApiPage />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Route>
      </Routes>
    </Suspense>
  );
}
