async def test_me_requires_sign_in(client):
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_signed_in_reads_me(make):
    user = await make.user()
    client = await make.signed_in(user)
    response = await client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == user.email
