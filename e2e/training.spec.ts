import { test, expect, artifactPath } from './fixtures';

test('the web host serves the app behind its token', async ({ appPage, webHost }) => {
  await expect(appPage.getByRole('tab', { name: 'Training' })).toBeVisible();
  const anonymous = await fetch(webHost.origin + '/');
  expect(anonymous.status).toBe(401);
  await appPage.screenshot({ path: artifactPath('app-loaded.png') });
});
