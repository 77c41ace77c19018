import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { BrowserRouter } from "react-router";
import { LanguageProvider } from "./i18n";
import { AuthProvider } from "./auth";
import { AppRoutes } from "./routes";
import { cssVariablesResolver, theme } from "./theme";

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="top-right" />
      <LanguageProvider>
        <BrowserRouter basename="/ui">
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </BrowserRouter>
      </LanguageProvider>
    </MantineProvider>
  );
}
